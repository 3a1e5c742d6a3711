#!/usr/bin/env python3
"""The written family's lines for counting words: its training lines
(data/by_source/written.train.tsv, as `make data` wrote them) plus the
lines of the given round folders (tools/corpus/written/round4, ...), which
the network does not train on, under the same hygiene (written.py: a line
of train.tsv under another label, of heldout.tsv, or holding a phrase of
the everyday evaluation files is dropped; a line already in the family is
not repeated). One CODE<TAB>TEXT file, read by neighbour_words.py in the
place of written.train.tsv (tools/train/langid_config.sh, NEIGHBOUR_ROUNDS).

Why only the counts: added to the fine-tuning phase, rounds four and five
cost the cross-domain folds' short texts (EXPERIMENTS.md, "A fourth round
of written sentences"); as words counted for the neighbour groups they
gain there (EXPERIMENTS.md, "Compact neighbour keys").

usage: written_rounds.py --data data --out FILE DIR...
"""
import argparse
import os
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from lexicon_words import source_rows  # noqa: E402


def merged_lines(family_lines, round_rows):
    """The family's lines, then each round line not already among them."""
    seen = set(family_lines)
    out = list(family_lines)
    for code, text in round_rows:
        line = '%s\t%s' % (code, text)
        if line not in seen:
            seen.add(line)
            out.append(line)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--data', required=True, help='the corpus folder (make data)')
    ap.add_argument('--out', required=True, help='the CODE<TAB>TEXT file to write')
    ap.add_argument('rounds', nargs='+', help='folders of CODE.txt sentence files')
    args = ap.parse_args()
    family = os.path.join(args.data, 'by_source', 'written.train.tsv')
    if not os.path.isfile(family):
        sys.exit('%s is missing: run make data' % family)
    for d in args.rounds:
        if not os.path.isdir(d):
            sys.exit('%s: no such folder' % d)
    with open(family, encoding='utf-8') as f:
        family_lines = [ln for ln in f.read().splitlines() if ln]
    lines = merged_lines(family_lines, source_rows(args.data, args.rounds))
    with open(args.out, 'w', encoding='utf-8') as f:
        f.write(''.join(ln + '\n' for ln in lines))
    print('written_rounds: %d family lines + %d round lines -> %s'
          % (len(family_lines), len(lines) - len(family_lines), args.out), file=sys.stderr)


if __name__ == '__main__':
    main()
