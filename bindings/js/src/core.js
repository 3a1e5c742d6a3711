// ffnlp/core: the ffnlp runtime in WebAssembly, without a built-in model.
//
//   import { Model } from 'ffnlp/core';
//   const model = Model.fromBytes(new Uint8Array(await (await fetch(url)).arrayBuffer()));
//   model.detect('Bonjour tout le monde');
//
// ffnlp.wasm is the C++ runtime, its C API and the bindings' shared layer
// (bindings/common/ffnlp_bind.h), compiled by emscripten as a standalone
// module; this file instantiates it (Node >= 18 reads the file next to this
// module, browsers fetch it) and wraps the calls. Everything runs on the
// device; no text leaves it.

const WASM_URL = new URL('./ffnlp.wasm', import.meta.url);
const NO_LABEL = 0xffffffff;
const UNKNOWN_NAME = 'Undetermined';
// Sizes in the wasm32 memory (ffnlp_c.h, ffnlp_bind.h).
const PREDICTION_BYTES = 24; // label*, name*, u32 label_index, f32 probability, i32 reliable, u32 reserved
const SPAN_BYTES = 8 + PREDICTION_BYTES; // size_t begin, end; ffnlp_prediction
// ffnlp_tagged_token: u64 begin, u64 end, label*, u32 label_index, f32 probability,
// 4 bytes of tail padding (wasm32 aligns u64 to 8).
const TAGGED_BYTES = 32;
const STATUS_BUFFER_TOO_SMALL = 16;
const STATUS_NOT_CLASSIFIER = 15;
const ERROR_BYTES = 260; // int32 status, char message[256]
const MAX_K = 1024;
const PRIORS = { model: 0, uniform: 1 };

async function loadWasm() {
  const isNode = typeof process === 'object' && process !== null && process.versions != null &&
    process.versions.node != null;
  if (isNode && WASM_URL.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return WebAssembly.compile(await readFile(WASM_URL));
  }
  const response = await fetch(WASM_URL);
  if (!response.ok) throw new Error(`ffnlp: cannot fetch ${WASM_URL} (HTTP ${response.status})`);
  const type = response.headers.get('Content-Type') || '';
  if (WebAssembly.compileStreaming && type.startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/** An error reported by the ffnlp runtime; `status` is its FFNLP_* number. */
export class FfnlpError extends Error {
  constructor(message, status, statusName) {
    super(message);
    this.name = 'FfnlpError';
    this.status = status;
    this.statusName = statusName;
  }
}

function instantiate(module) {
  // Only the imports the module declares; anything unexpected fails loudly.
  const known = {
    env: { emscripten_notify_memory_growth() {} },
    wasi_snapshot_preview1: {
      proc_exit(code) {
        throw new FfnlpError(`ffnlp: the WebAssembly runtime aborted (exit ${code}); ` +
          'the page must reload the module', -1, 'aborted');
      },
    },
  };
  const imports = {};
  for (const { module: mod, name, kind } of WebAssembly.Module.imports(module)) {
    if (kind !== 'function') throw new Error(`ffnlp.wasm needs an unexpected import ${mod}.${name}`);
    imports[mod] ??= {};
    imports[mod][name] = known[mod]?.[name] ?? (() => {
      throw new Error(`ffnlp.wasm called the missing import ${mod}.${name}`);
    });
  }
  return new WebAssembly.Instance(module, imports);
}

async function compiled() {
  try {
    return await loadWasm();
  } catch (e) {
    if (e instanceof WebAssembly.CompileError) {
      throw new Error('ffnlp: this JavaScript engine cannot compile ffnlp.wasm; it needs WebAssembly SIMD ' +
        `(Chrome 91, Firefox 89, Safari 16.4, Node 16.4 or later): ${e.message}`);
    }
    throw e;
  }
}

const instance = instantiate(await compiled());
const w = instance.exports;
w._initialize?.();

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');
// The text buffer (declared before the first allocation: views() reads it).
let textPtr = 0;
let textCap = 0;
let textView = null;
let u8 = new Uint8Array(w.memory.buffer);
let u32 = new Uint32Array(w.memory.buffer);
let f32 = new Float32Array(w.memory.buffer);

// After a wasm call that may allocate. memory.grow detaches the old buffer,
// which empties every view over it: a cheap test (w.memory.buffer is not).
function views() {
  if (u8.length === 0) {
    u8 = new Uint8Array(w.memory.buffer);
    u32 = new Uint32Array(w.memory.buffer);
    f32 = new Float32Array(w.memory.buffer);
    if (textPtr) textView = u8.subarray(textPtr, textPtr + textCap);
  }
}

function alloc(bytes) {
  const p = w.malloc(bytes);
  if (p === 0) throw new FfnlpError(`ffnlp: out of WebAssembly memory (${bytes} bytes)`, 18, 'out of memory');
  views();
  return p;
}

function cString(ptr) {
  if (ptr === 0) return '';
  views();
  let end = ptr;
  while (u8[end] !== 0) end++;
  return decoder.decode(u8.subarray(ptr, end));
}

// Scratch areas shared by every call (JavaScript runs one call at a time).
const errPtr = alloc(ERROR_BYTES);
const countPtr = alloc(8);
const outPtr = alloc(8);
let topPtr = alloc(PREDICTION_BYTES * 16);
let topCap = 16;
// Tagged tokens (tag, tagTokens) and tagTokens' pointer and length arrays,
// allocated on first use and grown as needed.
let taggedPtr = 0;
let taggedCap = 0;
let tokenRefsPtr = 0;
let tokenRefsCap = 0;
reserveText(4096);

function raise() {
  views();
  const status = u32[errPtr >> 2] | 0;
  const message = cString(errPtr + 4);
  throw new FfnlpError(message || cString(w.ffnlp_status_name(status)), status, cString(w.ffnlp_status_name(status)));
}

// Puts a text's UTF-8 bytes into the text buffer; returns their length.
function putText(text) {
  if (typeof text === 'string') {
    // Room for the most UTF-8 a UTF-16 string takes (3 bytes per code unit).
    if (text.length * 3 > textCap || textCap > (1 << 20)) reserveText(text.length * 3);
    else views();
    return encoder.encodeInto(text, textView).written;
  }
  if (text instanceof Uint8Array) {
    reserveText(text.length);
    u8.set(text, textPtr);
    return text.length;
  }
  throw new TypeError(`text must be a string or a Uint8Array of UTF-8, not ${text === null ? 'null' : typeof text}`);
}

function reserveText(bytes) {
  if (bytes > textCap || (textCap > (1 << 20) && bytes <= 4096)) {
    w.free(textPtr);
    textCap = Math.max(4096, bytes);
    textPtr = 0;
    textPtr = alloc(textCap);
    textView = u8.subarray(textPtr, textPtr + textCap);
  }
  views();
}

// A failure reported as a bare status (calls that take no ffnlp_error).
function raiseStatus(status, message) {
  const name = cString(w.ffnlp_status_name(status));
  throw new FfnlpError(message || `ffnlp: ${name}`, status, name);
}

function reserveTagged(n) {
  if (n > taggedCap) {
    w.free(taggedPtr);
    taggedPtr = 0;
    taggedCap = Math.max(64, n);
    taggedPtr = alloc(TAGGED_BYTES * taggedCap);
  }
}

// Room for n (pointer, length) pairs: tokenRefsPtr, then the lengths.
function reserveTokenRefs(n) {
  if (n > tokenRefsCap) {
    w.free(tokenRefsPtr);
    tokenRefsPtr = 0;
    tokenRefsCap = Math.max(64, n);
    tokenRefsPtr = alloc(8 * tokenRefsCap);
  }
}

function reserveTop(k) {
  if (k > topCap) {
    w.free(topPtr);
    topCap = k;
    topPtr = alloc(PREDICTION_BYTES * k);
  }
}

// UTF-16 index of each of the sorted UTF-8 byte offsets, for the bytes
// encodeInto() wrote (a lone surrogate became U+FFFD, three bytes).
function utf16Offsets(text, byteOffsets) {
  const out = new Array(byteOffsets.length);
  let bytes = 0;
  let i = 0;
  for (let j = 0; j < byteOffsets.length; j++) {
    while (bytes < byteOffsets[j] && i < text.length) {
      const c = text.charCodeAt(i);
      if (c < 0x80) { bytes += 1; i += 1; }
      else if (c < 0x800) { bytes += 2; i += 1; }
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length &&
               (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { bytes += 4; i += 2; }
      else { bytes += 3; i += 1; }
    }
    out[j] = i;
  }
  return out;
}

/** True when this build's runtime has ffnlp_classify_ex (the `only`, `prior` and `prefer` options). */
export const classifyOptionsSupported = w.ffnlpb_has_classify_options() === 1;

/** The weight `prefer` hints get without `preferWeight`, as the runtime states it (ffnlp_default_prefer_weight). */
export const defaultPreferWeight = w.ffnlp_default_prefer_weight();
/** The largest `preferWeight` (FFNLP_MAX_PREFER_WEIGHT): beyond it a hint would be an allow-list (`only`). */
export const maxPreferWeight = w.ffnlpb_max_prefer_weight();

const registry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry(({ handle, scratch }) => { w.ffnlpb_model_free(handle); w.free(scratch); })
  : null;

/** A loaded ffnlp model. */
export class Model {
  #handle = 0;
  #c = 0;
  #scratch = 0;
  #scratchSize = 0;
  #labels = [];
  #names = [];
  #unknown = '';
  #languages = null;
  #isTagger = false;
  #token = {};

  constructor(secret) {
    if (secret !== Model.#secret) throw new TypeError('use Model.fromBytes(bytes)');
  }

  static #secret = Symbol('Model');

  /**
   * Validates the bytes of an .ffm model (checksum, bounds, shapes) and
   * loads a copy of them into the WebAssembly memory.
   * @param {Uint8Array | ArrayBuffer | ArrayBufferView} bytes
   */
  static fromBytes(bytes) {
    let data;
    if (bytes instanceof Uint8Array) data = bytes;
    else if (bytes instanceof ArrayBuffer) data = new Uint8Array(bytes);
    else if (ArrayBuffer.isView(bytes)) data = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    else throw new TypeError('Model.fromBytes() takes a Uint8Array, an ArrayBuffer or a typed array view');
    const m = new Model(Model.#secret);
    const copy = alloc(Math.max(1, data.length));
    u8.set(data, copy);
    const status = w.ffnlpb_model_from_bytes(copy, data.length, outPtr, errPtr);
    w.free(copy);  // the handle keeps its own aligned copy
    if (status !== 0) raise();
    views();
    m.#handle = u32[outPtr >> 2];
    m.#c = w.ffnlpb_model_c(m.#handle);
    m.#scratchSize = w.ffnlp_model_scratch_size(m.#c);
    try {
      m.#scratch = alloc(Math.max(1, m.#scratchSize));
    } catch (e) {
      w.ffnlpb_model_free(m.#handle);
      throw e;
    }
    const count = w.ffnlp_model_label_count(m.#c);
    for (let i = 0; i < count; i++) {
      m.#labels.push(cString(w.ffnlp_model_label(m.#c, i)));
      m.#names.push(cString(w.ffnlp_model_label_name(m.#c, i)));
    }
    m.#unknown = cString(w.ffnlp_model_unknown_label(m.#c));
    m.#isTagger = w.ffnlp_model_is_tagger(m.#c) === 1;
    registry?.register(m, { handle: m.#handle, scratch: m.#scratch }, m.#token);
    return m;
  }

  #check() {
    if (this.#handle === 0) throw new Error('ffnlp: this model was disposed');
  }

  /** The model's languages in label order: `{ code, name }`. */
  get languages() {
    this.#check();
    this.#languages ??= Object.freeze(this.#labels.map((code, i) => Object.freeze({ code, name: this.#names[i] })));
    return this.#languages;
  }

  get name() { this.#check(); return cString(w.ffnlp_model_name(this.#c)); }
  get task() { this.#check(); return cString(w.ffnlp_model_task(this.#c)); }
  get unknownLabel() { this.#check(); return this.#unknown; }
  get fileSize() { this.#check(); return w.ffnlp_model_file_size(this.#c); }
  /** True for a tagger (one label per token: tag, tagTokens), such as the English pos-en.ffm. */
  get isTagger() { this.#check(); return this.#isTagger; }
  /** The model's label codes in order (languages for a language identifier, tags for a tagger). */
  get labels() { this.#check(); return this.#labels.slice(); }

  #prediction(p) {
    const index = u32[(p + 8) >> 2];
    let language, name;
    if (index !== NO_LABEL) {
      language = this.#labels[index];
      name = this.#names[index];
    } else {
      language = u8[u32[p >> 2]] !== 0 ? this.#unknown : '';
      name = language ? UNKNOWN_NAME : '';
    }
    return { language, name, probability: f32[(p + 12) >> 2], isReliable: u32[(p + 16) >> 2] !== 0 };
  }

  // `name`: an iterable of language codes -> their label indices, sorted, repeats dropped.
  #codes(name, codes) {
    if (typeof codes === 'string' || typeof codes[Symbol.iterator] !== 'function') {
      throw new TypeError(`${name} must be an array of language codes such as ['en', 'fr']`);
    }
    const indices = [];
    for (const code of codes) {
      const i = typeof code === 'string' ? this.#labels.indexOf(code) : -1;
      if (i < 0) throw new RangeError(`${name}: unknown language code ${JSON.stringify(code)} (see model.languages)`);
      indices.push(i);
    }
    if (indices.length === 0) throw new RangeError(`${name} is empty: give at least one language code`);
    return [...new Set(indices)].sort((a, b) => a - b);
  }

  #options(options) {
    if (options == null) return 0;
    if (typeof options !== 'object') throw new TypeError('options must be an object { only, prior, prefer, preferWeight }');
    const { only, prior, prefer, preferWeight } = options;
    if (only == null && prior == null && prefer == null && preferWeight == null) return 0;
    if (prior != null && !(prior in PRIORS)) throw new RangeError(`prior must be 'model' or 'uniform', not ${prior}`);
    const allowed = only != null ? this.#codes('only', only) : [];
    const hinted = prefer != null ? this.#codes('prefer', prefer) : [];
    if (preferWeight != null) {
      if (typeof preferWeight !== 'number') throw new TypeError(`preferWeight must be a number, not ${typeof preferWeight}`);
      if (!(preferWeight >= 0 && preferWeight <= maxPreferWeight)) {  // NaN fails both
        throw new RangeError(`preferWeight must be from 0 to ${maxPreferWeight}, not ${preferWeight}`);
      }
    }
    if (!classifyOptionsSupported) {
      throw new Error('ffnlp: the only, prior and prefer options need ffnlp_classify_ex(), which this build of the ' +
        'runtime does not have yet (see classifyOptionsSupported)');
    }
    // ffnlpb_options (wasm32: 32 bytes): u32 prior, u32 reserved, u32* only, size_t only_count,
    // u32* prefer, size_t prefer_count, f32 prefer_weight, u32 reserved2; then the two lists.
    const p = alloc(32 + 4 * (allowed.length + hinted.length));
    const at = p >> 2;
    const onlyAt = at + 8, preferAt = onlyAt + allowed.length;
    u32[at] = PRIORS[prior ?? 'model'];
    u32[at + 1] = 0;
    u32[at + 2] = allowed.length ? onlyAt << 2 : 0;
    u32[at + 3] = allowed.length;
    u32[at + 4] = hinted.length ? preferAt << 2 : 0;
    u32[at + 5] = hinted.length;
    f32[at + 6] = preferWeight ?? defaultPreferWeight;
    u32[at + 7] = 0;
    for (let i = 0; i < allowed.length; i++) u32[onlyAt + i] = allowed[i];
    for (let i = 0; i < hinted.length; i++) u32[preferAt + i] = hinted[i];
    return p;
  }

  /**
   * The k most probable languages of a text, best first.
   * @param {string | Uint8Array} text
   * @param {number} [k]
   * @param {{ only?: string[], prior?: 'model' | 'uniform', prefer?: string[], preferWeight?: number }} [options]
   */
  detectTop(text, k = 3, options) {
    this.#check();
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, not ${k}`);
    k = Math.min(k, Math.max(1, this.#labels.length), MAX_K);
    const opt = this.#options(options);
    try {
      const len = putText(text);
      reserveTop(k);
      const status = w.ffnlpb_classify(this.#handle, textPtr, len, opt, this.#scratch, this.#scratchSize, topPtr, k,
        countPtr, errPtr);
      if (status !== 0) raise();
      views();
      const count = u32[countPtr >> 2];
      const out = new Array(count);
      for (let i = 0; i < count; i++) out[i] = this.#prediction(topPtr + i * PREDICTION_BYTES);
      return out;
    } finally {
      if (opt) w.free(opt);
    }
  }

  /**
   * The most probable language of a text: `{ language, name, probability, isReliable }`.
   * @param {string | Uint8Array} text
   * @param {{ only?: string[], prior?: 'model' | 'uniform', prefer?: string[], preferWeight?: number }} [options]
   */
  detect(text, options) {
    this.#check();
    if (options != null) return this.#detectWith(text, this.#options(options));
    // The common case, kept lean (it is most of the time of short texts
    // outside the classifier): no options, no allocation.
    const len = putText(text);
    const status = w.ffnlpb_classify(this.#handle, textPtr, len, 0, this.#scratch, this.#scratchSize, topPtr, 1,
      countPtr, errPtr);
    if (status !== 0) raise();
    views();
    return u32[countPtr >> 2] ? this.#prediction(topPtr) : { language: '', name: '', probability: 0, isReliable: false };
  }

  #detectWith(text, opt) {
    try {
      const len = putText(text);
      const status = w.ffnlpb_classify(this.#handle, textPtr, len, opt, this.#scratch, this.#scratchSize, topPtr, 1,
        countPtr, errPtr);
      if (status !== 0) raise();
      views();
      return u32[countPtr >> 2] ? this.#prediction(topPtr) : { language: '', name: '', probability: 0, isReliable: false };
    } finally {
      if (opt) w.free(opt);
    }
  }

  /**
   * Splits mixed-language text into runs of one language. Offsets are
   * string indices for a string (`text.slice(start, end)`), byte offsets
   * for a Uint8Array.
   * @param {string | Uint8Array} text
   */
  spans(text) {
    this.#check();
    const len = putText(text);
    const status = w.ffnlpb_spans(this.#handle, textPtr, len, outPtr, countPtr, errPtr);
    if (status !== 0) raise();
    views();
    const array = u32[outPtr >> 2];
    const count = u32[countPtr >> 2];
    const bytes = [];
    for (let i = 0; i < count; i++) bytes.push(u32[(array + i * SPAN_BYTES) >> 2], u32[(array + i * SPAN_BYTES + 4) >> 2]);
    const offsets = typeof text === 'string' ? utf16Offsets(text, bytes) : bytes;
    const out = [];
    for (let i = 0; i < count; i++) {
      const start = offsets[2 * i], end = offsets[2 * i + 1];
      out.push({ start, end, ...this.#prediction(array + i * SPAN_BYTES + 8), text: text.slice(start, end) });
    }
    w.ffnlpb_spans_free(array);
    return out;
  }

  #requireTagger() {
    if (!this.#isTagger) {
      raiseStatus(STATUS_NOT_CLASSIFIER, `ffnlp: the model is not a tagger (task '${this.task}'); use detect()`);
    }
  }

  #taggedLabel(p) {
    const index = u32[(p + 20) >> 2];
    return index < this.#labels.length ? this.#labels[index] : cString(u32[(p + 16) >> 2]);
  }

  /**
   * Tags every token of a text (tagger models such as pos-en.ffm): the
   * model's tokenizer cuts it, then the tokens are labelled greedily, left
   * to right, as one sequence. Offsets are string indices for a string
   * (`text.slice(start, end)`, UTF-16 code units), byte offsets for a
   * Uint8Array.
   * @param {string | Uint8Array} text
   */
  tag(text) {
    this.#check();
    this.#requireTagger();
    const len = putText(text);
    if (taggedCap === 0) reserveTagged(64);
    let status = w.ffnlp_tag(this.#c, textPtr, len, this.#scratch, this.#scratchSize, taggedPtr, taggedCap, countPtr);
    if (status === STATUS_BUFFER_TOO_SMALL) {  // more tokens than records: grow to the count it reported
      views();
      reserveTagged(u32[countPtr >> 2]);
      status = w.ffnlp_tag(this.#c, textPtr, len, this.#scratch, this.#scratchSize, taggedPtr, taggedCap, countPtr);
    }
    if (status !== 0) raiseStatus(status);
    views();
    const count = u32[countPtr >> 2];
    const bytes = new Array(2 * count);
    for (let i = 0; i < count; i++) {  // u64 offsets: the low words (wasm32 texts are < 4 GB)
      bytes[2 * i] = u32[(taggedPtr + i * TAGGED_BYTES) >> 2];
      bytes[2 * i + 1] = u32[(taggedPtr + i * TAGGED_BYTES + 8) >> 2];
    }
    const offsets = typeof text === 'string' ? utf16Offsets(text, bytes) : bytes;
    const out = new Array(count);
    for (let i = 0; i < count; i++) {
      const p = taggedPtr + i * TAGGED_BYTES;
      const start = offsets[2 * i], end = offsets[2 * i + 1];
      out[i] = { start, end, text: text.slice(start, end), label: this.#taggedLabel(p), probability: f32[(p + 24) >> 2] };
    }
    return out;
  }

  /**
   * Tags tokens the caller already cut (pre-tokenized input): exactly one
   * `{ text, label, probability }` per token, in order; any string, empty
   * ones too.
   * @param {readonly (string | Uint8Array)[]} tokens
   */
  tagTokens(tokens) {
    this.#check();
    if (tokens == null || typeof tokens === 'string' || typeof tokens[Symbol.iterator] !== 'function') {
      throw new TypeError("tokens must be an array of strings such as ['Time', 'flies', '.']");
    }
    const list = Array.from(tokens);
    this.#requireTagger();
    let bytes = 0;
    for (const t of list) {
      if (typeof t === 'string') bytes += t.length * 3;
      else if (t instanceof Uint8Array) bytes += t.length;
      else throw new TypeError(`tokens must be strings or Uint8Arrays of UTF-8, not ${t === null ? 'null' : typeof t}`);
    }
    const n = list.length;
    if (n === 0) return [];
    reserveText(bytes);
    reserveTokenRefs(n);
    reserveTagged(n);
    const lengthsPtr = tokenRefsPtr + 4 * n;
    let at = 0;
    for (let j = 0; j < n; j++) {
      const t = list[j];
      let written;
      if (typeof t === 'string') written = encoder.encodeInto(t, textView.subarray(at)).written;
      else { u8.set(t, textPtr + at); written = t.length; }
      u32[(tokenRefsPtr >> 2) + j] = textPtr + at;
      u32[(lengthsPtr >> 2) + j] = written;
      at += written;
    }
    const status = w.ffnlp_tag_tokens(this.#c, tokenRefsPtr, lengthsPtr, n, this.#scratch, this.#scratchSize, taggedPtr);
    if (status !== 0) raiseStatus(status);
    views();
    const out = new Array(n);
    for (let j = 0; j < n; j++) {
      const p = taggedPtr + j * TAGGED_BYTES;
      out[j] = { text: list[j], label: this.#taggedLabel(p), probability: f32[(p + 24) >> 2] };
    }
    return out;
  }

  /** Frees the model's WebAssembly memory now (otherwise the garbage collector does). */
  dispose() {
    if (this.#handle === 0) return;
    registry?.unregister(this.#token);
    w.ffnlpb_model_free(this.#handle);
    w.free(this.#scratch);
    this.#handle = this.#c = this.#scratch = 0;
  }
}

/** Version of the ffnlp runtime compiled into ffnlp.wasm. */
export const runtimeVersion = cString(w.ffnlp_version());
