// The demo page in headless Chromium: it loads from a local server, a French
// and a Japanese sentence are typed, the answers are read from the page and
// checked against the package in Node, the spans of a mixed text are
// highlighted, screenshots are saved, and no request leaves the server.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { serve } from '../../tools/serve.mjs';
import { launch, waitFor } from './cdp.mjs';

function required(variable) {
  const value = process.env[variable];
  if (!value || !existsSync(value)) throw new Error(`${variable} is not set or missing (${value}); run make js-browser-test`);
  return value;
}

const SITE = required('FFNLP_SITE');            // the staged demo: index.html, demo.js, ffnlp/
const CHROMIUM = required('FFNLP_CHROMIUM');
const SHOTS = process.env.FFNLP_SCREENSHOTS || resolve('screenshots');
const ffnlp = await import(pathToFileURL(join(SITE, 'ffnlp', 'index.js')).href);

const FRENCH = 'Le renard brun rapide saute par-dessus le chien paresseux.';
const JAPANESE = '吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。';
const MIXED = 'Here is a short note for you. Tämä osa on kirjoitettu suomeksi. Und dieser Teil ist Deutsch.';

let browser, server, url, page;
const requests = [];

// What the page shows, as data.
const READ = `(() => {
  const $ = (id) => document.getElementById(id);
  return {
    name: $('name').textContent, language: $('language').textContent,
    probability: $('probability').textContent, reliable: $('reliable').dataset.reliable,
    top3: [...$('top3').children].map((li) => ({ language: li.dataset.language,
      percent: li.querySelector('.pct').textContent })),
    spans: [...$('spans').querySelectorAll('mark')].map((m) => ({ language: m.dataset.language, text: m.textContent })),
    status: $('status').textContent,
  };
})()`;

before(async () => {
  ({ server, url } = await serve(SITE, 0));
  browser = await launch(CHROMIUM);
  page = await browser.newPage();
  page.on('Network.requestWillBeSent', (p) => requests.push(p.request.url));
  await page.send('Network.enable');
  await page.send('Page.enable');
  await page.send('Emulation.setDeviceMetricsOverride', { width: 900, height: 1100, deviceScaleFactor: 1, mobile: false });
  await page.send('Page.navigate', { url });
  await waitFor(() => page.evaluate("document.body && document.body.dataset.ready === 'true'"), 'the demo to load', 60000);
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function clear() {
  await page.evaluate("(() => { const t = document.getElementById('text'); t.value = ''; " +
    "t.dispatchEvent(new Event('input')); t.focus(); })()");
  await waitFor(async () => (await page.evaluate(READ)).language === '', 'the page to clear');
}

async function typeKeys(text) {  // key by key, as a keyboard does
  for (const ch of text) {
    await page.send('Input.dispatchKeyEvent', { type: 'keyDown', text: ch, unmodifiedText: ch, key: ch });
    await page.send('Input.dispatchKeyEvent', { type: 'keyUp', key: ch });
  }
}

async function typeIme(text) {  // an input method commits the text (how Japanese is typed)
  for (const piece of text.match(/.{1,4}/gsu)) await page.send('Input.insertText', { text: piece });
}

async function screenshot(name) {
  mkdirSync(SHOTS, { recursive: true });
  const { data } = await page.send('Page.captureScreenshot', { format: 'png' });
  const file = join(SHOTS, name);
  writeFileSync(file, Buffer.from(data, 'base64'));
  return file;
}

// Waits until the page shows the answer for the whole of `text` (it updates
// on every keystroke), then checks every figure against the package in Node.
// The whole top 3 is waited for: an earlier piece of the text can show the
// same first answer and percentage while the other two still differ.
async function answerFor(text) {
  const top = ffnlp.detectTop(text, 3);
  const want = `${(100 * top[0].probability).toFixed(1)}%`;
  const wantTop3 = JSON.stringify(top.map((r) => ({ language: r.language, percent: `${(100 * r.probability).toFixed(1)}%` })));
  let last;
  try {
    return await waitFor(async () => {
      last = await page.evaluate(READ);
      const value = await page.evaluate("document.getElementById('text').value");
      return value === text && last.language === top[0].language && last.probability === want &&
        JSON.stringify(last.top3) === wantTop3 ? last : null;
    }, `the answer for ${JSON.stringify(text.slice(0, 20))}`);
  } catch (e) {
    e.message += `; the page shows ${JSON.stringify(last)}`;
    throw e;
  }
}

function expectPage(shown, text) {
  const top = ffnlp.detectTop(text, 3);
  assert.equal(shown.language, top[0].language);
  assert.equal(shown.name, top[0].name);
  assert.equal(shown.probability, `${(100 * top[0].probability).toFixed(1)}%`);
  assert.equal(shown.reliable, String(top[0].isReliable));
  assert.deepEqual(shown.top3, top.map((r) => ({ language: r.language, percent: `${(100 * r.probability).toFixed(1)}%` })));
}

test('typing French shows French, live, with the top 3', async () => {
  await clear();
  await typeKeys(FRENCH);
  const shown = await answerFor(FRENCH);
  assert.equal(shown.language, 'fr');
  expectPage(shown, FRENCH);
  assert.equal(shown.reliable, 'true');
  console.log(`# French: ${shown.name} ${shown.probability}, top 3 ${shown.top3.map((r) => r.language).join(' ')}; ` +
    `screenshot ${await screenshot('demo-french.png')}`);
});

test('typing Japanese shows Japanese', async () => {
  await clear();
  await typeIme(JAPANESE);
  const shown = await answerFor(JAPANESE);
  assert.equal(shown.language, 'ja');
  expectPage(shown, JAPANESE);
  console.log(`# Japanese: ${shown.name} ${shown.probability}; screenshot ${await screenshot('demo-japanese.png')}`);
});

test('mixed text is highlighted by language', async () => {
  await page.evaluate("document.querySelector('[data-example^=\"Here is a short\"]').click()");
  const shown = await answerFor(MIXED);
  expectPage(shown, MIXED);
  const expected = ffnlp.spans(MIXED);
  assert.deepEqual(shown.spans, expected.map((s) => ({ language: s.language, text: s.text })));
  assert.deepEqual(shown.spans.map((s) => s.language), ['en', 'fi', 'de']);
  console.log(`# spans: ${shown.spans.map((s) => s.language).join(' | ')}; screenshot ${await screenshot('demo-spans.png')}`);
});

test('nothing leaves the device: every request goes to the local server', () => {
  assert.ok(requests.length >= 4, `requests seen: ${requests.join(', ')}`);
  const outside = requests.filter((r) => !r.startsWith(url) && !r.startsWith('about:') && !r.startsWith('data:'));
  assert.deepEqual(outside, []);
  assert.ok(requests.some((r) => r.endsWith('/ffnlp/ffnlp.wasm')));
  assert.ok(requests.some((r) => r.endsWith('/ffnlp/langid.ffm')));
});
