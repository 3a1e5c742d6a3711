// Types of ffnlp/core (core.js).

/** One answer for a text. */
export interface Result {
  /** Language code, e.g. "fr"; the model's unknown label ("und") for text without letters. */
  language: string;
  /** English name, e.g. "French" ("Undetermined" for the unknown label). */
  name: string;
  /** The model's probability for this language, 0 to 1 (0 for the unknown label). */
  probability: number;
  /** True when the probability and the amount of text clear the model's bar. */
  isReliable: boolean;
}

/** A run of one language inside a mixed-language text. */
export interface Span extends Result {
  /** Start offset: string index for a string input, byte offset for a Uint8Array. */
  start: number;
  /** End offset (exclusive), in the same unit as `start`. */
  end: number;
  /** The piece of the input, `input.slice(start, end)`. */
  text: string | Uint8Array;
}

/** One token of a pre-tokenized input and its tag (Model.tagTokens). */
export interface TokenTag {
  /** The token as given. */
  text: string | Uint8Array;
  /** Its tag, e.g. "NOUN" (a label of the tagger: model.labels). */
  label: string;
  /** The tagger's softmax probability for that tag, 0 to 1. */
  probability: number;
}

/** One token of a tagged text (Model.tag). */
export interface TaggedToken extends TokenTag {
  /** Start offset: string index (UTF-16 code units) for a string input, byte offset for a Uint8Array. */
  start: number;
  /** End offset (exclusive), in the same unit as `start`. */
  end: number;
  /** The token, `input.slice(start, end)`. */
  text: string | Uint8Array;
}

export interface Language {
  code: string;
  name: string;
}

/** Options of ffnlp_classify_ex; they throw until the runtime has it (classifyOptionsSupported). */
export interface ClassifyOptions {
  /** Answer only among these language codes. */
  only?: readonly string[];
  /** The label prior: the model's own (default) or uniform. */
  prior?: 'model' | 'uniform';
  /**
   * Hints (CLD2's language hints, e.g. the user's language): each code's
   * logit gains `preferWeight`, which tips ambiguous text towards it and
   * excludes nothing (a code outside `only` changes nothing).
   */
  prefer?: readonly string[];
  /** The hints' weight, 0 to maxPreferWeight (20); default defaultPreferWeight, the runtime's. */
  preferWeight?: number;
}

/** A UTF-8 text: a string, or its UTF-8 bytes. */
export type Text = string | Uint8Array;

/** An error reported by the ffnlp runtime. */
export class FfnlpError extends Error {
  /** The runtime's status number (FFNLP_* in ffnlp_c.h). */
  readonly status: number;
  /** Readable status name, e.g. "bad checksum". */
  readonly statusName: string;
}

export class Model {
  private constructor();
  /** Validates the bytes of an .ffm model and loads a copy of them. Throws FfnlpError for a bad model. */
  static fromBytes(bytes: Uint8Array | ArrayBuffer | ArrayBufferView): Model;
  /** The model's languages in label order. */
  readonly languages: readonly Language[];
  readonly name: string;
  readonly task: string;
  readonly unknownLabel: string;
  readonly fileSize: number;
  /** True for a tagger (one label per token: tag, tagTokens), such as pos-en.ffm. */
  readonly isTagger: boolean;
  /** The label codes in order: languages for a language identifier, tags for a tagger. */
  readonly labels: string[];
  /** The most probable language of a text. */
  detect(text: Text, options?: ClassifyOptions): Result;
  /** The k (default 3) most probable languages, best first. */
  detectTop(text: Text, k?: number, options?: ClassifyOptions): Result[];
  /** Mixed-language text split into runs of one language. */
  spans(text: Text): Span[];
  /** Every token of a text with its tag (tagger models; FfnlpError for others). */
  tag(text: Text): TaggedToken[];
  /** One tag per token the caller already cut (tagger models). */
  tagTokens(tokens: readonly Text[]): TokenTag[];
  /** Frees the model's WebAssembly memory now. */
  dispose(): void;
}

/** True when the runtime has ffnlp_classify_ex (the `only`, `prior` and `prefer` options). */
export const classifyOptionsSupported: boolean;
/** The weight `prefer` hints get without `preferWeight` (the runtime's FFNLP_DEFAULT_PREFER_WEIGHT). */
export const defaultPreferWeight: number;
/** The largest `preferWeight` accepted (FFNLP_MAX_PREFER_WEIGHT). */
export const maxPreferWeight: number;
/** Version of the runtime compiled into ffnlp.wasm. */
export const runtimeVersion: string;
