// ffnlp: language identification for 463 languages, on the device.
//
//   import { detect, detectTop, spans, languages, Model } from 'ffnlp';
//   detect('Ce n\'est pas une pipe.');   // { language: 'fr', name: 'French', probability: 0.8…, isReliable: true }
//
// Importing this module loads ffnlp.wasm and the built-in model (langid.ffm,
// next to this file: read from disk in Node, fetched in a browser) once;
// every function is then synchronous. Use 'ffnlp/core' to bring your own
// model bytes instead (Model.fromBytes) and skip the built-in one.
import { Model } from './core.js';

export { Model, FfnlpError, classifyOptionsSupported, defaultPreferWeight, maxPreferWeight, runtimeVersion } from './core.js';

const MODEL_URL = new URL('./langid.ffm', import.meta.url);

async function loadBuiltin() {
  const isNode = typeof process === 'object' && process !== null && process.versions != null &&
    process.versions.node != null;
  if (isNode && MODEL_URL.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return readFile(MODEL_URL);
  }
  const response = await fetch(MODEL_URL);
  if (!response.ok) throw new Error(`ffnlp: cannot fetch ${MODEL_URL} (HTTP ${response.status})`);
  return new Uint8Array(await response.arrayBuffer());
}

/** The built-in language identifier (463 languages). */
export const defaultModel = Model.fromBytes(await loadBuiltin());

/** The built-in model's languages, in label order: `{ code, name }`. */
export const languages = defaultModel.languages;

/** The most probable language of a text (built-in model). */
export function detect(text, options) {
  return defaultModel.detect(text, options);
}

/** The k most probable languages of a text, best first (built-in model). */
export function detectTop(text, k = 3, options) {
  return defaultModel.detectTop(text, k, options);
}

/** Mixed-language text split into runs of one language (built-in model). */
export function spans(text) {
  return defaultModel.spans(text);
}
