// Model.tag / tagTokens on the English tagger (models/pos-en.ffm): the
// postag command's tokens, tags and printed probabilities; string offsets
// in UTF-16 code units, byte offsets for bytes; errors for a classifier.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

import { FfnlpError, Model, defaultModel } from 'ffnlp';

function requiredPath(variable) {
  const path = process.env[variable];
  if (!path || !existsSync(path)) throw new Error(`${variable} is not set or missing (${path}); run make js-test`);
  return path;
}
const TAGGER_PATH = requiredPath('FFNLP_TAGGER');
const POSTAG_CLI = requiredPath('FFNLP_POSTAG');
const tagger = Model.fromBytes(readFileSync(TAGGER_PATH));

// Non-ASCII throughout: 2-, 3- and 4-byte UTF-8 (a 4-byte character is two
// UTF-16 code units, so string and byte offsets part ways).
const SENTENCES = [
  'The cat sat on the mat.',
  "Don't panic: 3.5% of U.S. voters aren't sure!",
  'Café owners in Zürich — naïvely — said “no”.',
  'I 😀 love this 👍🏽 so much, señor!',
  '𝒜 mathematical letter, then Ω and 漢字 among English words.',
  'Time flies like an arrow; fruit flies like a banana.',
  '',
  '!!! ...',
  'word '.repeat(500).trim(),  // more tokens than the first output buffer holds
];

/** postag --json [--pretokenized] on lines: per line, its tokens. */
function postag(lines, ...args) {
  const run = spawnSync(POSTAG_CLI, ['--model', TAGGER_PATH, '--json', ...args],
    { input: Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8'), maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`postag failed: ${run.stderr}`);
  const rows = run.stdout.toString('utf8').split('\n').slice(0, -1).map((l) => JSON.parse(l).tokens);
  assert.equal(rows.length, lines.length);
  return rows;
}

// postag prints %.4f; JSON.parse then toFixed(4) gives that string back.
const printed = (p) => p.toFixed(4);

test('a tagger model', () => {
  assert.equal(tagger.isTagger, true);
  assert.equal(tagger.task, 'tagger');
  assert.ok(tagger.labels.includes('NOUN') && tagger.labels.includes('VERB'), tagger.labels.join(' '));
  assert.equal(defaultModel.isTagger, false);
});

test('tag gives the postag command\'s tokens, tags and probabilities', () => {
  const want = postag(SENTENCES);
  SENTENCES.forEach((text, s) => {
    const got = tagger.tag(text);
    assert.equal(got.length, want[s].length, text.slice(0, 40));
    const bytes = new TextEncoder().encode(text);
    const byBytes = tagger.tag(bytes);
    assert.equal(byBytes.length, got.length);
    got.forEach((g, i) => {
      const w = want[s][i];
      assert.deepEqual(Object.keys(g), ['start', 'end', 'text', 'label', 'probability']);
      assert.equal(g.label, w.tag, `${text.slice(0, 40)} #${i}`);
      assert.equal(printed(g.probability), printed(w.probability), `${text.slice(0, 40)} #${i} ${w.token}`);
      assert.equal(g.text, w.token);
      assert.equal(text.slice(g.start, g.end), w.token);  // string indices (UTF-16)
      const b = byBytes[i];
      assert.equal(b.start, w.begin);  // byte offsets for bytes
      assert.equal(b.end, w.end);
      assert.deepEqual(b.text, bytes.slice(w.begin, w.end));
      assert.equal(b.label, g.label);
      assert.equal(b.probability, g.probability);
    });
  });
});

test('string offsets are UTF-16 indices', () => {
  const text = 'I 😀 love 👍🏽 naïve café!';
  const got = tagger.tag(text);
  assert.deepEqual(got.map((t) => t.text), got.map((t) => text.slice(t.start, t.end)));
  const love = got.find((t) => t.text === 'love');
  assert.equal(love.start, text.indexOf('love'));  // after a surrogate pair: 5, not the byte offset 7
  assert.equal(love.start, 5);
  const cafe = got.find((t) => t.text === 'café');
  assert.equal(cafe.start, text.indexOf('café'));
  // A lone surrogate is U+FFFD (three bytes) to the tagger; later offsets stay right.
  const lone = 'alpha \ud800 beta';
  const tokens = tagger.tag(lone);
  assert.equal(tokens.at(-1).text, 'beta');
  assert.equal(tokens.at(-1).start, lone.indexOf('beta'));
});

test('tagTokens gives postag --pretokenized\'s tags and probabilities', () => {
  const lines = ['The cat sat on the mat .', 'Café owners in Zürich said “ no ” 😀 !', 'flies', 'a  b'];
  const want = postag(lines, '--pretokenized');
  lines.forEach((line, s) => {
    const tokens = line.split(' ');  // empty tokens too, as postag splits
    const got = tagger.tagTokens(tokens);
    assert.equal(got.length, tokens.length);
    assert.equal(want[s].length, tokens.length);
    got.forEach((g, i) => {
      assert.deepEqual(Object.keys(g), ['text', 'label', 'probability']);
      assert.equal(g.text, tokens[i]);
      assert.equal(g.label, want[s][i].tag, `${line} #${i}`);
      assert.equal(printed(g.probability), printed(want[s][i].probability), `${line} #${i}`);
    });
    const asBytes = tagger.tagTokens(tokens.map((t) => new TextEncoder().encode(t)));
    assert.deepEqual(asBytes.map((t) => [t.label, t.probability]), got.map((t) => [t.label, t.probability]));
  });
  assert.deepEqual(tagger.tagTokens([]), []);
  const many = Array.from({ length: 3000 }, (_, i) => (i % 2 ? 'flies' : 'time'));
  assert.equal(tagger.tagTokens(many).length, 3000);
});

test('tagging with a classifier throws the runtime\'s error', () => {
  for (const call of [() => defaultModel.tag('Das ist ein Satz.'), () => defaultModel.tagTokens(['Das', 'ist'])]) {
    assert.throws(call, (e) => e instanceof FfnlpError && e.status === 15 && /not a tagger/.test(e.message) &&
      e.statusName === 'not a classifier');
  }
  assert.throws(() => tagger.detect('The cat sat on the mat.'), FfnlpError);
});

test('tagTokens checks its argument', () => {
  assert.throws(() => tagger.tagTokens('The cat'), TypeError);
  assert.throws(() => tagger.tagTokens(null), TypeError);
  assert.throws(() => tagger.tagTokens(['ok', 3]), TypeError);
  assert.throws(() => tagger.tag(42), TypeError);
});

test('a disposed tagger refuses to tag', () => {
  const m = Model.fromBytes(readFileSync(TAGGER_PATH));
  assert.equal(m.tag('Time flies.').length, 3);
  m.dispose();
  assert.throws(() => m.tag('Time flies.'), /disposed/);
});
