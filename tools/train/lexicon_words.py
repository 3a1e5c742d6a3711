#!/usr/bin/env python3
"""Whole words that name one language, for the classifier's lexicon head
(docs/FORMAT.md, `lexicon.*`): on a text of at most a few words, each of
its words found here adds a fixed weight to its language's logit. Bare
greetings ("Hola", "Merci", "Danke") are too short for the character
n-grams, and the network learns them poorly from a few written lines
(tools/train/EXPERIMENTS.md, "The written family's words as a lexicon for
short texts"); a list of words does not depend on the network's rows.

The words come from text written for the project: the `written` family's
sources (tools/corpus/written/*.txt) and its phrasebook
(tools/corpus/written/round6/), under written.py's hygiene (a line of
train.tsv under another label, of heldout.tsv, or holding a phrase of the
everyday evaluation files is dropped). A word belongs to language L when:
  * it has MIN_LETTERS+ letters and appears in a line of at most
    MAX_LINE_WORDS words (the short lines are where everyday words live);
  * every line that holds it, of any length, is L's (or, with
    --max-owners K, one of at most K languages', each of which gets it);
  * it is in at least --min-lines of L's lines.
Words are cut as the runtime cuts them (neighbour_words.words).

usage: lexicon_words.py --data data --out langid.lexicon.tsv
                        [--source DIR ...] [--labels-from SPEC]
                        [--min-lines 2] [--max-owners 1] [--weight 3] [--max-words 4] [--seed 2001]
writes the converter's words file (WORD<TAB>LABEL) and prints the
[lexicon] spec section (docs/SPEC.md) to stdout.
"""
import argparse
import collections
import os
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', 'corpus'))
from neighbour_words import spec_labels, words  # noqa: E402
import written  # noqa: E402

MAX_LINE_WORDS = 5
MIN_LETTERS = 3
PHRASEBOOK_DIR = os.path.join(written.SOURCE_DIR, 'round6')


def build_lexicon(rows, min_lines, max_owners=1):
    """{word: (code, ...)} from (code, text) rows under the rules above; with
    max_owners > 1 a word may name up to that many languages, each of which
    has it in min_lines lines."""
    lines = collections.defaultdict(collections.Counter)  # word -> code -> lines
    in_short_line = set()
    for code, text in rows:
        ws = words(text)
        for w in set(ws):
            lines[w][code] += 1
        if len(ws) <= MAX_LINE_WORDS:
            in_short_line.update(ws)
    out = {}
    for w in in_short_line:
        owners = lines[w]
        if len(w) >= MIN_LETTERS and len(owners) <= max_owners and min(owners.values()) >= min_lines:
            out[w] = tuple(sorted(owners))
    return out


def source_rows(data_dir, source_dirs):
    """(code, line) rows of the source folders merged per language, after
    written.py's hygiene against data_dir's files and the evaluation phrases."""
    sources = {}
    for d in source_dirs:
        for code, lines in written.read_sources(d).items():
            sources.setdefault(code, []).extend(lines)
    wanted = {ln for lines in sources.values() for ln in lines}
    rows, _ = written.select(sources, written.known_labels(os.path.join(data_dir, 'languages.tsv')),
                             written.labels_of_lines(os.path.join(data_dir, 'train.tsv'), wanted),
                             written.labels_of_lines(os.path.join(data_dir, 'heldout.tsv'), wanted),
                             written.eval_phrases())
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--data', required=True, help='the corpus folder (make data)')
    ap.add_argument('--out', required=True, help='the words file to write')
    ap.add_argument('--source', action='append',
                    help='a folder of CODE.txt sentence files (default: the written family and its phrasebook)')
    ap.add_argument('--labels-from', help="keep only the labels of this converter spec")
    ap.add_argument('--min-lines', type=int, default=2)
    ap.add_argument('--max-owners', type=int, default=1,
                    help='languages a word may name (each with it in --min-lines lines)')
    ap.add_argument('--weight', type=float, default=3.0)
    ap.add_argument('--max-words', type=int, default=4)
    ap.add_argument('--seed', type=int, default=2001)
    args = ap.parse_args()
    rows = source_rows(args.data, args.source or [written.SOURCE_DIR, PHRASEBOOK_DIR])
    lexicon = build_lexicon(rows, args.min_lines, args.max_owners)
    if args.labels_from:
        keep = spec_labels(args.labels_from)
        if not keep:
            sys.exit('%s has no [labels] section' % args.labels_from)
        lexicon = {w: codes for w, codes in lexicon.items() if set(codes) <= keep}
    pairs = sorted((code, w) for w, codes in lexicon.items() for code in codes)
    with open(args.out, 'w', encoding='utf-8') as f:
        f.write('# lexicon words: written by tools/train/lexicon_words.py (min lines %d, max owners %d)\n'
                % (args.min_lines, args.max_owners))
        for code, w in pairs:
            f.write('%s\t%s\n' % (w, code))
    print('lexicon words: %d (%d entries) of %d languages, from %d lines'
          % (len(lexicon), len(pairs), len({c for c, _ in pairs}), len(rows)), file=sys.stderr)
    print('[lexicon]\nwords = %s\nseed = %d\nweight = %g\nmax_words = %d'
          % (os.path.basename(args.out), args.seed, args.weight, args.max_words))


if __name__ == '__main__':
    main()
