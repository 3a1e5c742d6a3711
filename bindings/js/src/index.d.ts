// Types of ffnlp (index.js): the built-in language identifier.
import type { ClassifyOptions, Language, Model, Result, Span, Text } from './core.js';

export { ClassifyOptions, FfnlpError, Language, Model, Result, Span, TaggedToken, Text, TokenTag,
  classifyOptionsSupported, defaultPreferWeight, maxPreferWeight, runtimeVersion } from './core.js';

/** The built-in language identifier (453 languages), loaded when the module is imported. */
export const defaultModel: Model;
/** The built-in model's languages, in label order. */
export const languages: readonly Language[];
/** The most probable language of a text. */
export function detect(text: Text, options?: ClassifyOptions): Result;
/** The k (default 3) most probable languages of a text, best first. */
export function detectTop(text: Text, k?: number, options?: ClassifyOptions): Result[];
/** Mixed-language text split into runs of one language. */
export function spans(text: Text): Span[];
