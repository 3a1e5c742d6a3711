// The package answers as the C API (labels exactly, probabilities to float
// rounding) and as the langid CLI (as printed, four decimals).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { Model, defaultModel, defaultPreferWeight, detect, detectTop, spans } from 'ffnlp';
import { BAD_UTF8, CAPI_DUMP, CAPI_DUMP_SSE2, MODEL_PATH, TEXTS, TOLERANCE, capiReference, cli } from './support.mjs';

const model = Model.fromBytes(readFileSync(MODEL_PATH));

function assertSame(got, want, what) {
  assert.deepEqual(got.map((r) => r.language), want.map((r) => r.language), what);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i].probability - want[i].probability) <= TOLERANCE,
      `${what}: ${got[i].language} ${got[i].probability} vs ${want[i].probability}`);
    // Reliability may only differ for a probability at the model's bar.
    if (Math.abs(want[i].probability - 0.7) > TOLERANCE) assert.equal(got[i].isReliable, want[i].isReliable, what);
  }
}

for (const k of [1, 3, 40]) {
  test(`top ${k} equals the C API`, () => {
    const inputs = [...TEXTS, ...BAD_UTF8];
    const want = capiReference(inputs, k);
    inputs.forEach((text, i) => {
      const label = typeof text === 'string' ? text.slice(0, 30) : `bytes ${i}`;
      assertSame(model.detectTop(text, k), want[i], label);
      if (typeof text === 'string') assertSame(model.detectTop(new TextEncoder().encode(text), k), want[i], label);
    });
  });
}

if (CAPI_DUMP_SSE2) {
  test('bit-identical to the C API with the same (SSE2) kernels', () => {
    const inputs = [...TEXTS, ...BAD_UTF8];
    for (const k of [1, 3, 40]) {
      const want = capiReference(inputs, k, CAPI_DUMP_SSE2);
      inputs.forEach((text, i) => {
        const got = model.detectTop(text, k).map((r) => [r.language, r.probability, r.isReliable]);
        assert.deepEqual(got, want[i].map((r) => [r.language, r.probability, r.isReliable]), `k=${k} text ${i}`);
      });
    }
  });
}

test('hints: the C API\'s numbers (bit for bit with the SSE2 kernels)', () => {
  const inputs = ['Jeg har en hund', 'Selamat pagi', ...TEXTS, ...BAD_UTF8];
  for (const weight of [defaultPreferWeight, 0, 3.5]) {
    const options = { prefer: ['ms', 'nb'], preferWeight: weight };
    const hints = ['nb,ms', String(weight)];
    const want = capiReference(inputs, 3, CAPI_DUMP, hints);
    inputs.forEach((text, i) => assertSame(model.detectTop(text, 3, options), want[i], `weight ${weight} text ${i}`));
    if (CAPI_DUMP_SSE2) {
      const exact = capiReference(inputs, 3, CAPI_DUMP_SSE2, hints);
      inputs.forEach((text, i) => {
        const got = model.detectTop(text, 3, options).map((r) => [r.language, r.probability, r.isReliable]);
        assert.deepEqual(got, exact[i].map((r) => [r.language, r.probability, r.isReliable]), `weight ${weight} text ${i}`);
      });
    }
  }
  const flipped = capiReference(inputs.slice(0, 2), 1, CAPI_DUMP, ['nb,ms', String(defaultPreferWeight)]);
  assert.deepEqual(flipped.map((r) => r[0].language), ['nb', 'ms']);
  assert.deepEqual(capiReference(inputs.slice(0, 2), 1).map((r) => r[0].language), ['da', 'id']);
});

test('hints at the default weight as the CLI prints them', () => {
  for (const text of ['Jeg har en hund', 'Selamat pagi', 'Dobar dan, kako ste?']) {
    const want = cli('--top', '3', '--json', '--prefer', 'nb,ms,bs', text).results;
    const got = model.detectTop(text, 3, { prefer: ['nb', 'ms', 'bs'] });
    assert.deepEqual(got.map((r) => r.language), want.map((r) => r.language), text);
    got.forEach((r, i) => assert.ok(Math.abs(r.probability - want[i].probability) <= 5e-5 + TOLERANCE, text));
  }
});

test('the built-in model is the shipped file', () => {
  assert.equal(defaultModel.fileSize, readFileSync(MODEL_PATH).length);
  for (const text of TEXTS) {
    assert.deepEqual(detectTop(text, 5), model.detectTop(text, 5));
    assert.deepEqual(detect(text), model.detect(text));
  }
});

test('top 3 as the CLI prints it', () => {
  for (const text of TEXTS) {
    if (!text.trim() || text.includes('\0') || text.includes('\n')) continue;
    const want = cli('--top', '3', '--json', text).results;
    const got = model.detectTop(text, 3);
    assert.deepEqual(got.map((r) => [r.language, r.name, r.isReliable]),
      want.map((r) => [r.language, r.name, r.is_reliable]), text.slice(0, 30));
    // Printed with four decimals: half a unit of the last digit, plus float rounding.
    got.forEach((r, i) => assert.ok(Math.abs(r.probability - want[i].probability) <= 5e-5 + TOLERANCE));
  }
});

test('spans as the CLI finds them', () => {
  const texts = [
    'Hello there, how are you? Hyvää huomenta, mitä kuuluu?',
    'This part is English. Tämä osa on kirjoitettu suomeksi.',
    'Das ist ein deutscher Satz. Ceci est une phrase française. Esto es una frase en español.',
    '東京は日本の首都です。 Moscow is the capital of Russia. Москва — столица России.',
    'Emoji 😀 first, then 𝒸𝓊𝓇𝓈𝒾𝓋𝑒 letters. Und jetzt ein deutscher Satz dazu.',
    '12345 !!!',
    'word',
  ];
  for (const text of texts) {
    const want = cli('--spans', '--json', text).spans;
    const bytes = new TextEncoder().encode(text);
    const got = spans(text);
    const gotBytes = defaultModel.spans(bytes);
    assert.equal(got.length, want.length, text);
    assert.deepEqual(gotBytes.map((s) => [s.start, s.end]), want.map((s) => [s.begin, s.end]), text);
    want.forEach((w, i) => {
      assert.equal(got[i].text, w.text);
      assert.equal(text.slice(got[i].start, got[i].end), w.text);
      assert.equal(new TextDecoder().decode(gotBytes[i].text), w.text);
      assert.equal(got[i].language, w.language);
      assert.ok(Math.abs(got[i].probability - w.probability) <= 5e-5 + TOLERANCE, text);
      assert.equal(got[i].isReliable, w.is_reliable);
    });
  }
});
