// The JavaScript surface: results, model bytes, options, bad input.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import * as ffnlp from 'ffnlp';
import * as core from 'ffnlp/core';
import { MODEL_PATH } from './support.mjs';

const { FfnlpError, Model, classifyOptionsSupported, defaultModel, detect, detectTop, languages, spans } = ffnlp;
const modelBytes = readFileSync(MODEL_PATH);
const UND = { language: 'und', name: 'Undetermined', probability: 0, isReliable: false };

test('detect', () => {
  const r = detect('Der schnelle braune Fuchs springt über den faulen Hund.');
  assert.deepEqual(Object.keys(r), ['language', 'name', 'probability', 'isReliable']);
  assert.equal(r.language, 'de');
  assert.equal(r.name, 'German');
  assert.equal(r.isReliable, true);
  assert.ok(r.probability > 0.7 && r.probability <= 1);
});

test('detectTop is sorted, distinct and capped at the label count', () => {
  const top = detectTop('Dobar dan, kako ste?', 5);
  assert.equal(top.length, 5);
  assert.deepEqual([...top].sort((a, b) => b.probability - a.probability), top);
  assert.equal(new Set(top.map((r) => r.language)).size, 5);
  assert.equal(detectTop('Dobar dan').length, 3);
  assert.equal(detectTop('Dobar dan', 100000).length, languages.length);
});

test('text without letters answers und', () => {
  for (const text of ['', '12345 !!!', '   ', '😀', new Uint8Array(0)]) {
    assert.deepEqual(detect(text), UND);
    assert.deepEqual(detectTop(text, 3), [UND]);
  }
});

test('languages', () => {
  assert.equal(languages.length, 463);
  assert.ok(Object.isFrozen(languages));
  const byCode = Object.fromEntries(languages.map((l) => [l.code, l.name]));
  assert.equal(byCode.fr, 'French');
  assert.equal(byCode.ja, 'Japanese');
  assert.equal(defaultModel.unknownLabel, 'und');
  assert.equal(defaultModel.name, 'langid');
  assert.equal(defaultModel.task, 'classifier');
});

test('spans of mixed text, string and byte offsets', () => {
  const text = 'Here is a short note for you. Tämä osa on kirjoitettu suomeksi.';
  const s = spans(text);
  // Where the boundary falls is the model's call; the Finnish sentence ends
  // the last span, the first starts the text.
  assert.deepEqual(s.map((x) => x.language), ['en', 'fi']);
  assert.ok(s[0].text.startsWith('Here is a short'));
  const last = s[s.length - 1];
  assert.ok(last.text.endsWith('Tämä osa on kirjoitettu suomeksi.'));
  for (let i = 1; i < s.length; ++i) assert.ok(s[i - 1].end <= s[i].start);
  assert.equal(text.slice(last.start, last.end), last.text);
  const bytes = new TextEncoder().encode(text);
  const b = defaultModel.spans(bytes);
  const lastBytes = b[b.length - 1];
  assert.deepEqual(lastBytes.text, bytes.slice(lastBytes.start, lastBytes.end));
  assert.deepEqual(spans(''), []);
  assert.deepEqual(spans(' \n '), []);
  // Surrogate pairs count as two string indices.
  const emoji = '😀😀 Hello there, how are you today?';
  for (const x of spans(emoji)) assert.equal(emoji.slice(x.start, x.end), x.text);
});

test('Model.fromBytes takes a Uint8Array, an ArrayBuffer or a view, and copies', () => {
  const copy = new Uint8Array(modelBytes);
  const a = Model.fromBytes(copy);
  const b = Model.fromBytes(copy.buffer.slice(0));
  const c = Model.fromBytes(new DataView(copy.buffer));
  const before = a.detectTop('Dobar dan', 3);
  copy.fill(0);  // the caller may reuse its buffer
  for (const m of [a, b, c]) assert.deepEqual(m.detectTop('Dobar dan', 3), before);
  for (const m of [a, b, c]) m.dispose();
  assert.throws(() => a.detect('x'), /disposed/);
  a.dispose();  // twice is fine
  assert.throws(() => Model.fromBytes('not bytes'), TypeError);
  assert.throws(() => new Model(), TypeError);
});

test('bad model bytes throw FfnlpError with the runtime message', () => {
  const corrupted = new Uint8Array(modelBytes);
  corrupted[corrupted.length >> 1] ^= 0x55;
  const cases = [
    [new Uint8Array(0), 'truncated'],
    [new TextEncoder().encode('not a model at all, just some bytes'.repeat(10)), 'bad magic'],
    [modelBytes.subarray(0, 1000), 'truncated'],
    [corrupted, 'bad checksum'],
  ];
  for (const [bytes, statusName] of cases) {
    assert.throws(() => Model.fromBytes(bytes), (e) => {
      assert.ok(e instanceof FfnlpError);
      assert.equal(e.statusName, statusName);
      assert.ok(e.status > 0 && e.message.length > 0);
      return true;
    });
  }
});

test('bad input', () => {
  for (const bad of [null, undefined, 42, {}, ['a'], new Uint16Array(4)]) {
    assert.throws(() => detect(bad), TypeError);
    assert.throws(() => spans(bad), TypeError);
  }
  for (const k of [0, -1, 1.5, NaN, '3']) assert.throws(() => detectTop('text', k), RangeError);
  // Lone surrogates are encoded as U+FFFD, like any other text encoder does.
  assert.deepEqual(detect('abc \ud800 def'), detect('abc \ufffd def'));
  const lone = 'Bonjour \udc00 tout le monde, comment allez-vous ?';
  for (const x of spans(lone)) assert.equal(lone.slice(x.start, x.end), x.text);
});

test('huge text', () => {
  const text = 'Der schnelle braune Fuchs springt über den faulen Hund. '.repeat(400000);  // ~23 MB
  assert.equal(detect(text).language, 'de');
  assert.deepEqual(detectTop(new TextEncoder().encode(text), 2), detectTop(text, 2));
  assert.equal(detect('Bonjour tout le monde, comment allez-vous ?').language, 'fr');  // buffers shrink back
});

test('spans refuses more words than it accepts', () => {
  assert.equal(spans('Wort '.repeat(2000)).length, 1);
  assert.throws(() => spans('Wort '.repeat(20001)), (e) => e instanceof FfnlpError && /split it/.test(e.message));
});

test('options: allow-list and prior', () => {
  const text = 'Dobar dan, kako ste?';
  if (classifyOptionsSupported) {
    const top = detectTop(text, 3, { only: ['hr', 'sr-Latn'] });
    assert.ok(top.every((r) => ['hr', 'sr-Latn'].includes(r.language)));
    assert.equal(detectTop(text, 3, { prior: 'uniform' }).length, 3);
  } else {
    assert.throws(() => detect(text, { only: ['hr', 'sr-Latn'] }), /ffnlp_classify_ex/);
    assert.throws(() => detect(text, { prior: 'uniform' }), /ffnlp_classify_ex/);
  }
  assert.throws(() => detect(text, { only: ['xx-not-a-code'] }), RangeError);
  assert.throws(() => detect(text, { only: [] }), RangeError);
  assert.throws(() => detect(text, { only: 'hr' }), TypeError);
  assert.throws(() => detect(text, { prior: 'flat' }), RangeError);
  assert.deepEqual(detect(text, {}), detect(text));
});

test('options: hints (prefer, preferWeight)', () => {
  const text = 'Jeg har en hund';  // Danish or Norwegian Bokmål: da 0.67 without hints
  assert.equal(ffnlp.maxPreferWeight, 20);
  assert.ok(ffnlp.defaultPreferWeight > 0 && ffnlp.defaultPreferWeight <= ffnlp.maxPreferWeight);
  assert.equal(core.defaultPreferWeight, ffnlp.defaultPreferWeight);
  if (classifyOptionsSupported) {
    assert.equal(detect(text).language, 'da');
    const hinted = detect(text, { prefer: ['nb'] });
    assert.equal(hinted.language, 'nb');
    assert.deepEqual(detect(text, { prefer: ['nb'], preferWeight: ffnlp.defaultPreferWeight }), hinted);
    assert.deepEqual(detectTop(text, 1, { prefer: ['nb'] }), [hinted]);
    assert.deepEqual(detectTop(text, 3, { prefer: ['nb'], preferWeight: 0 }), detectTop(text, 3));
    assert.deepEqual(detect(text, { prefer: ['nb', 'nb'] }), hinted);  // repeats dropped, as for only
    assert.equal(detectTop(text, 3, { prefer: ['nb'] }).length, 3);  // nothing excluded
    const german = 'Die Würde des Menschen ist unantastbar. Sie zu achten und zu schützen ist Verpflichtung.';
    assert.equal(detect(german, { prefer: ['nb', 'lb'] }).language, 'de');
    // A hint outside the allow-list changes nothing; only, prior and prefer together.
    assert.deepEqual(detectTop(text, 2, { only: ['da', 'nn'], prefer: ['nb'] }), detectTop(text, 2, { only: ['da', 'nn'] }));
    assert.equal(detect(text, { only: ['da', 'nb'], prior: 'uniform', prefer: ['nb'] }).language, 'nb');
  } else {
    assert.throws(() => detect(text, { prefer: ['nb'] }), /ffnlp_classify_ex/);
  }
  assert.throws(() => detect(text, { prefer: ['xx-not-a-code'] }), RangeError);
  assert.throws(() => detect(text, { prefer: [] }), RangeError);
  assert.throws(() => detect(text, { prefer: 'nb' }), TypeError);
  for (const preferWeight of [-1, 20.5, NaN, Infinity]) {
    assert.throws(() => detect(text, { prefer: ['nb'], preferWeight }), RangeError, String(preferWeight));
  }
  assert.throws(() => detect(text, { prefer: ['nb'], preferWeight: '2' }), TypeError);
});

test('ffnlp/core loads without the built-in model', () => {
  assert.equal(core.Model, Model);
  const m = core.Model.fromBytes(modelBytes);
  assert.deepEqual(m.detect('Guten Morgen, wie geht es dir?'), detect('Guten Morgen, wie geht es dir?'));
  m.dispose();
});

test('many models, disposed, leave the memory reusable', () => {
  for (let i = 0; i < 20; i++) {
    const m = Model.fromBytes(modelBytes);
    assert.equal(m.detect('Hyvää huomenta').language, 'fi');
    m.dispose();
  }
});
