// Shared by the Node tests: paths given by the Makefile, the C API reference
// (bindings/common/capi_dump.c), and texts that exercise the input's edges.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

function requiredPath(variable) {
  const path = process.env[variable];
  // Missing fixtures fail, never skip.
  if (!path || !existsSync(path)) throw new Error(`${variable} is not set or missing (${path}); run make js-test`);
  return path;
}

export const MODEL_PATH = requiredPath('FFNLP_MODEL');
export const CAPI_DUMP = requiredPath('FFNLP_CAPI_DUMP');
export const LANGID_CLI = requiredPath('FFNLP_LANGID');

// Optional (x86-64 hosts): the C API built with the SSE2 kernels, the ones
// the WebAssembly build runs (translated to WebAssembly SIMD): there, every
// number must be identical.
export const CAPI_DUMP_SSE2 = process.env.FFNLP_CAPI_DUMP_SSE2 ? requiredPath('FFNLP_CAPI_DUMP_SSE2') : null;

// The default native build picks AVX2+FMA kernels where the CPU has them:
// probabilities then agree to float rounding, labels exactly.
export const TOLERANCE = 1e-5;

export const TEXTS = [
  "Ce n'est pas une pipe, c'est une image de pipe.",
  'Der schnelle braune Fuchs springt über den faulen Hund.',
  'Быстрая коричневая лиса прыгает через ленивую собаку.',
  '私はガラスを食べられます。それは私を傷つけません。',
  'Dobar dan',
  'Hello',
  'a',
  '',
  '12345 !!!',
  '   \t\n ',
  'Hello there, how are you? Hyvää huomenta, mitä kuuluu?',
  'Ο γρήγορος καφέ αλεπού πηδά πάνω από το τεμπέλικο σκυλί.',
  'مرحبا بالعالم، كيف حالك اليوم؟',
  'नमस्ते, आप कैसे हैं?',
  'emoji only 😀😀😀 and some words',
  'line one\nline two\r\nline three',
  'NUL\u0000inside the text',
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(200),
];

// Not valid UTF-8: bad bytes separate words, in every API.
export const BAD_UTF8 = [
  [0xff, 0xfe, 0x20, ...Buffer.from('hello world')],
  [...Buffer.from('Bonjour '), 0xc3, ...Buffer.from(' tout le monde')],
  [0xed, 0xa0, 0x80, ...Buffer.from(' surrogate encoded')],
  [0xc0, 0xaf, ...Buffer.from(' overlong slash')],
  [0x80, 0x80, 0x80],
  [...Buffer.from('caf'), 0xe9, ...Buffer.from(' au lait')],
].map((b) => new Uint8Array(b));

/** Per text, [{ language, probability, isReliable }] from the C API; `hints`: [codes, weight] (capi_dump's PREFER WEIGHT). */
export function capiReference(texts, k, dump = CAPI_DUMP, hints = []) {
  const parts = [];
  for (const t of texts) {
    const bytes = typeof t === 'string' ? Buffer.from(t, 'utf8') : Buffer.from(t);
    parts.push(Buffer.from(`${bytes.length}\n`), bytes);
  }
  const run = spawnSync(dump, [MODEL_PATH, String(k), ...hints], { input: Buffer.concat(parts), maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`capi_dump failed: ${run.stderr}`);
  const rows = run.stdout.toString('utf8').split('\n').slice(0, -1).map((line) => {
    const f = line.split('\t');
    const out = [];
    for (let i = 0; i < Number(f[0]); i++) {
      out.push({ language: f[1 + 4 * i] === '-' ? '' : f[1 + 4 * i], probability: Math.fround(Number(f[3 + 4 * i])),
        isReliable: f[4 + 4 * i] === '1' });  // %.9g: Number() then float32 gives the exact float
    }
    return out;
  });
  if (rows.length !== texts.length) throw new Error(`capi_dump answered ${rows.length} of ${texts.length}`);
  return rows;
}

/** The CLI's JSON answer for one text. */
export function cli(...args) {
  const run = spawnSync(LANGID_CLI, ['--model', MODEL_PATH, ...args], { maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`langid failed: ${run.stderr}`);
  return JSON.parse(run.stdout.toString('utf8'));
}
