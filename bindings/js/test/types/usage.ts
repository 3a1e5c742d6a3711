// Compiled with tsc --strict against the installed package (make js-types):
// the declarations must describe the API as the tests use it.
import { FfnlpError, Model, classifyOptionsSupported, defaultModel, defaultPreferWeight, detect, detectTop, languages,
  maxPreferWeight, spans } from 'ffnlp';
import type { ClassifyOptions, Language, Result, Span, TaggedToken, TokenTag } from 'ffnlp';
import * as core from 'ffnlp/core';

const r: Result = detect('Bonjour tout le monde');
const code: string = r.language;
const p: number = r.probability;
const reliable: boolean = r.isReliable;
const top: Result[] = detectTop(new TextEncoder().encode('Guten Tag'), 3, { only: ['de', 'nl'] });
const options: ClassifyOptions = { prior: 'uniform' };
const hinted: Result = detect('Jeg har en hund', { prefer: ['nb'], preferWeight: defaultPreferWeight });
const weights: number = maxPreferWeight + core.defaultPreferWeight + core.maxPreferWeight;
const s: Span[] = spans('This part is English. Tämä osa on suomea.');
const piece: string | Uint8Array = s[0].text;
const start: number = s[0].start;
const langs: readonly Language[] = languages;
const m: Model = core.Model.fromBytes(new ArrayBuffer(8));
const n: string = m.name + defaultModel.task + defaultModel.unknownLabel;
const size: number = m.fileSize;
const tagged: TaggedToken[] = m.tag('Time flies.');
const tag: string = tagged[0].label + tagged[0].start + tagged[0].end + tagged[0].probability;
const byToken: TokenTag[] = m.tagTokens(['Time', new TextEncoder().encode('flies'), '.']);
const isTagger: boolean = m.isTagger;
const labels: string[] = m.labels;
m.dispose();
try {
  Model.fromBytes(new Uint8Array(0));
} catch (e) {
  if (e instanceof FfnlpError) console.log(e.status, e.statusName, e.message);
}
// @ts-expect-error the constructor is private: use Model.fromBytes
new core.Model();
// @ts-expect-error prior is 'model' or 'uniform'
detect('x', { prior: 'flat' });
// @ts-expect-error preferWeight is a number
detect('x', { prefer: ['nb'], preferWeight: '2' });
// @ts-expect-error tagTokens takes an array of tokens, not a text
m.tagTokens('Time flies.');
export const used = [code, p, reliable, top, options, piece, start, langs, n, size, classifyOptionsSupported, tag,
  byToken, isTagger, labels, hinted, weights];
