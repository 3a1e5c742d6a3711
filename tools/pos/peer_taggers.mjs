// The npm part-of-speech taggers `pos`, `wink-pos-tagger` and `en-pos` on
// our held-out Brown documents, side by side with models/pos-en.ffm's
// figure in models/pos-en.md. They answer Penn Treebank tags, mapped to the
// 12 universal tags with tools/pos/tagmaps/en-ptb.map (plus '"', ';' and
// HYPH -> '.', which some of them use and the map lacks). Every tagger gets
// the gold tokens of each sentence (pre-tokenized), so only tagging differs.
//
//   mkdir /tmp/peers && (cd /tmp/peers && npm install pos wink-pos-tagger en-pos)
//   PEERS_DIR=/tmp/peers node tools/pos/peer_taggers.mjs data/pos/test.tsv tools/pos/tagmaps/en-ptb.map [brown-possessives]
//
// brown-possessives: PRP$ and WP$ -> DET as the Brown map has them (the
// Penn map says PRON), so the two maps' one systematic difference does
// not count as an error. Prints accuracy, unmapped tags, tokens/s (one
// Node thread, after loading).
import fs from 'fs';
import path from 'path';
import { createRequire } from 'module';
const require = createRequire(path.join(process.env.PEERS_DIR || process.cwd(), 'package.json'));
const pos = require('pos');
const wink = require('wink-pos-tagger');
const { Tag } = require('en-pos');
const [tsv, mapFile] = process.argv.slice(2);
const map = {};
for (const line of fs.readFileSync(mapFile, 'utf8').split('\n')) {
  const [a, b] = line.split('\t');
  if (a && b) map[a.trim()] = b.trim();
}
const sents = [];
let cur = [];
for (const line of fs.readFileSync(tsv, 'utf8').split('\n')) {
  if (line.startsWith('#')) continue;
  if (!line) { if (cur.length) sents.push(cur); cur = []; continue; }
  const f = line.split('\t');
  cur.push([f[0], f[1]]);
}
if (cur.length) sents.push(cur);
// Punctuation tags some peers use that the Penn map lacks.
for (const t of ['"', ';', 'HYPH']) map[t] = '.';
if (process.argv[4] === 'brown-possessives') { map['PRP$'] = 'DET'; map['WP$'] = 'DET'; }
const posTagger = new pos.Tagger();
const winkTagger = wink();
const taggers = {
  'pos 0.4.2 (pos-js)': (toks) => posTagger.tag(toks).map((x) => x[1]),
  'wink-pos-tagger 2.2.2': (toks) => winkTagger.tagRawTokens(toks).map((x) => x.pos),
  'en-pos 1.0.16 (initial + smooth)': (toks) => new Tag(toks).initial().smooth().tags,
};
for (const [name, tag] of Object.entries(taggers)) {
  let n = 0, ok = 0, unmapped = 0; const miss = {};
  const t0 = process.hrtime.bigint();
  const all = sents.map((s) => tag(s.map((x) => x[0])));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  sents.forEach((s, i) => {
    const tags = all[i];
    s.forEach(([w, g], j) => {
      let u = map[tags[j]];
      if (u === undefined) { unmapped++; u = "X"; miss[tags[j]] = (miss[tags[j]] || 0) + 1; }
      n++; if (u === g) ok++;
    });
  });
  console.log(`${name}\t${(100 * ok / n).toFixed(2)}%\t${n} tokens\tunmapped tags ${unmapped} ${JSON.stringify(miss)}\t${Math.round(n / secs)} tokens/s`);
}
