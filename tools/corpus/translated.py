#!/usr/bin/env python3
"""The `translated` family: text of a close neighbour carried into a
language the identifier confuses with it, by Apertium's rule-based
translators (Debian `apertium-*` packages, GPL; their output is our data).

A rule-based translator between two close languages changes exactly the
words in which they differ (Indonesian karena/bisa/jendela -> Malay
kerana/boleh/tingkap) and keeps the rest, so its output is text of the
smaller language in the domains where only the larger one has text
(everyday sentences, game stories, help pages). That is the evidence the
network lacks for ms / nb / nn / gl / ast / af ... (issue 9).

Sources per pair: the source language's `written`, `everyday` and
`game-stories` lines first, then `software-help`, `debian-docs`, `manpages`
lines (every family kept by both leave-one-source-out folds, so the folds
may use the family as it is), at most --cap lines per pair, sampled by a
stable hash.

Hygiene, each dropped line counted:
  * a source line with Apertium's mark characters (* # @ ~ \\ ^ $ [ ] { } < >);
  * an output line with a generation error ('#' word) or an untranslated
    lemma ('@' word); unknown words ('*' word: mostly names and shared
    vocabulary missing from the pair's dictionary) keep their text, the
    star removed, unless they are more than a third of the words or the
    lowercase ones (words of the source language, not names) a sixth;
  * an output equal to its source (case and punctuation folded): such a
    line is the same in both languages and would teach nothing but bias;
  * duplicates, lines of heldout.tsv, lines in train.tsv under another
    label, lines holding an evaluation phrase (written.py's rules).

Output: DATA/translated.tsv (CODE<TAB>TEXT), for the fine-tuning phase
only, like `written`; outside by_source/ so that nothing that reads every
family (leave-one-source-out lists, neighbour-word counts) takes it in.

usage: translated.py [--data DIR] [--out FILE] [--cap N] [--pairs ms,nb,...]
"""
import argparse
import collections
import hashlib
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import written  # noqa: E402

# (target label, source label, Apertium mode)
PAIRS = [
    ('ms', 'id', 'ind-zlm'),
    ('nb', 'da', 'dan-nob'),
    ('nb', 'sv', 'swe-nob'),
    ('nn', 'nb', 'nob-nno'),
    ('da', 'nb', 'nob-dan'),
    ('da', 'sv', 'swe-dan'),
    ('gl', 'es', 'es-gl'),
    ('ast', 'es', 'spa-ast'),
    ('af', 'nl', 'nld-afr'),
    ('mk', 'bg', 'bul-mkd'),
    ('bg', 'mk', 'mkd-bul'),
]
FIRST_FAMILIES = ('written', 'everyday', 'game-stories')
MORE_FAMILIES = ('software-help', 'debian-docs', 'manpages')
SOURCE_MARKS = re.compile(r'[*#@~\\^$\[\]{}<>]')
ERROR_WORD = re.compile(r'(^|\s|\W)[#@]\w')
UNKNOWN_WORD = re.compile(r'\*(\w)')
MARKER = re.compile(r'[*@#]?Qx7Q(\d+)q')


def stable_key(text):
    return hashlib.md5(text.encode('utf-8')).hexdigest()


def source_lines(data, code, cap):
    """Up to `cap` lines of `code`: the first families whole, the rest sampled."""
    picked, seen = [], set()
    for families in (FIRST_FAMILIES, MORE_FAMILIES):
        lines = []
        for fam in families:
            path = os.path.join(data, 'by_source', fam + '.train.tsv')
            with open(path, encoding='utf-8') as f:
                for line in f:
                    c, _, text = line.rstrip('\n').partition('\t')
                    if c == code and text not in seen and not SOURCE_MARKS.search(text):
                        seen.add(text)
                        lines.append(text)
        if families is MORE_FAMILIES:
            lines.sort(key=stable_key)
        picked += lines[:max(0, cap - len(picked))]
    return picked


def run_apertium(mode, text):
    return subprocess.run(['apertium', mode], input=text, capture_output=True, text=True, check=True).stdout


def translate(mode, lines, run=run_apertium):
    """Apertium's output for each line. Each line goes in after a numbered
    marker word (unknown to every dictionary, so it comes out as itself): a
    translator may add or merge line breaks, the markers still say which
    output belongs to which line."""
    marked = ''.join('Qx7Q%dq %s\n' % (i, ln) for i, ln in enumerate(lines))
    out = run(mode, marked)
    parts = MARKER.split(out)
    found = {}
    for i in range(1, len(parts) - 1, 2):
        found[int(parts[i])] = ' '.join(parts[i + 1].split())
    if len(found) != len(lines):
        raise RuntimeError('apertium %s: %d lines in, %d markers out' % (mode, len(lines), len(found)))
    return [found[i] for i in range(len(lines))]


def clean(src, out, dropped):
    """The usable translation of src, or None (the reason counted)."""
    if ERROR_WORD.search(' ' + out):
        dropped['generation error'] += 1
        return None
    words = len(out.split())
    unknown = UNKNOWN_WORD.findall(out)
    if len(unknown) * 3 > words or sum(1 for u in unknown if u.islower()) * 6 > words:
        dropped['unknown words'] += 1
        return None
    text = written.norm(UNKNOWN_WORD.sub(r'\1', out))
    if written.fold(text) == written.fold(src):
        dropped['unchanged'] += 1
        return None
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--data', default=os.path.join(written.ROOT, 'data'))
    ap.add_argument('--out', default=None, help='default DATA/translated.tsv')
    ap.add_argument('--cap', type=int, default=4000, help='source lines per pair')
    ap.add_argument('--pairs', default='', help='only these target labels (comma-separated)')
    ap.add_argument('--with-sources', action='store_true',
                    help='write each kept translation\'s source line too, under its own label')
    args = ap.parse_args()
    only = set(filter(None, args.pairs.split(',')))
    out_path = args.out or os.path.join(args.data, 'translated.tsv')

    dropped = collections.Counter()
    candidates = []  # (target, text)
    for target, source, mode in PAIRS:
        if only and target not in only:
            continue
        src = source_lines(args.data, source, args.cap)
        kept = 0
        for s, t in zip(src, translate(mode, src)):
            text = clean(s, t, dropped)
            if text:
                candidates.append((target, text))
                if args.with_sources:
                    candidates.append((source, s))
                kept += 1
        print('translated: %s <- %s (%s): %d of %d lines' % (target, source, mode, kept, len(src)),
              file=sys.stderr)

    wanted = {t for _, t in candidates}
    in_train = written.labels_of_lines(os.path.join(args.data, 'train.tsv'), wanted)
    in_heldout = written.labels_of_lines(os.path.join(args.data, 'heldout.tsv'), wanted)
    phrases = written.eval_phrases()
    rows, seen = [], set()
    for target, text in candidates:
        if (target, text) in seen:
            dropped['duplicate'] += 1
        elif text in in_heldout:
            dropped['in held-out'] += 1
        elif in_train.get(text, {target}) - {target}:
            dropped['other label in train'] += 1
        elif written.contains_phrase(written.fold(text), phrases):
            dropped['evaluation phrase'] += 1
        else:
            rows.append((target, text))
        seen.add((target, text))
    with open(out_path, 'w', encoding='utf-8') as f:
        for target, text in rows:
            f.write('%s\t%s\n' % (target, text))
    per = collections.Counter(t for t, _ in rows)
    print('translated: %d lines (%s) -> %s; dropped: %s' % (
        len(rows), ' '.join('%s=%d' % kv for kv in sorted(per.items())), out_path,
        ', '.join('%s=%d' % kv for kv in sorted(dropped.items()))), file=sys.stderr)


if __name__ == '__main__':
    main()
