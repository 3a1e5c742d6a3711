#!/usr/bin/env python3
"""Leave-one-source-out (LOSO) evaluation of the language identifier.

For each source family F (data/by_source/F.{train,heldout}.tsv):
  * the fold's training text is every other family's training lines, for the
    languages that still have running text there (the UDHR counts; word
    lists and CLDR strings alone do not make a language, as in prepare.py);
  * its test lines are F's held-out lines of those languages, at most --cap
    per language (the files are shuffled, so the first ones are a sample).
A model trained on the fold has never seen F's domain: its accuracy there
is a cross-domain figure. tools/train/loso.sh trains and scores the folds;
this script makes the folds and pools the scored lines.

  loso.py split FAMILY[,FAMILY...] OUTDIR [--data data] [--cap 300]
      writes OUTDIR/train.tsv and OUTDIR/test.FAMILY.tsv for one fold (one
      family, or several left out together to save trainings)
  loso.py report DUMP... [--languages data/languages.tsv] [--column N]
                 [--reliable P] [--letters N]
      pools the per-line dumps of `train evaluate --dump` (one per fold;
      set name = family) over the languages with running text besides the
      UDHR and prints accuracy by length and family, the reliable share and
      precision, Brier score and calibration. --column picks the combination
      (0 = the first prior strength / temperature of the dump).

Standard library only.
"""
import argparse
import collections
import glob
import os
import sys

sys.dont_write_bytecode = True

SHORT_FAMILIES = {'cldr', 'wordlists', 'subtitle-words'}  # short items, not running text
FINETUNE_ONLY = {'written'}  # by_source files outside train.tsv (tools/corpus/written.py)


def families(data):
    names = sorted(os.path.basename(p)[:-len('.train.tsv')]
                   for p in glob.glob(os.path.join(data, 'by_source', '*.train.tsv')))
    names = [n for n in names if n not in FINETUNE_ONLY]
    if not names:
        raise SystemExit(f'{data}/by_source: no FAMILY.train.tsv files (run make data)')
    return names


def codes_in(path):
    codes = set()
    with open(path, encoding='utf-8', errors='replace') as f:
        for line in f:
            codes.add(line.split('\t', 1)[0])
    return codes


def split(args):
    fams = families(args.data)
    left_out = args.family.split(',')
    for fam in left_out:
        if fam not in fams:
            raise SystemExit(f'unknown family {fam}; families: {" ".join(fams)}')
    path = lambda fam, part: os.path.join(args.data, 'by_source', f'{fam}.{part}.tsv')
    keep = set()  # languages with running text outside the left-out families
    for fam in fams:
        if fam not in left_out and fam not in SHORT_FAMILIES:
            keep |= codes_in(path(fam, 'train'))
    os.makedirs(args.outdir, exist_ok=True)
    lines = 0
    with open(os.path.join(args.outdir, 'train.tsv'), 'w', encoding='utf-8') as out:
        for fam in fams:
            if fam in left_out:
                continue
            with open(path(fam, 'train'), encoding='utf-8') as f:
                for line in f:
                    if line.split('\t', 1)[0] in keep:
                        out.write(line)
                        lines += 1
    tested = []
    for fam in left_out:
        per_code = collections.Counter()
        with open(path(fam, 'heldout'), encoding='utf-8') as f, \
                open(os.path.join(args.outdir, f'test.{fam}.tsv'), 'w', encoding='utf-8') as out:
            for line in f:
                code = line.split('\t', 1)[0]
                if code in keep and per_code[code] < args.cap:
                    per_code[code] += 1
                    out.write(line)
        tested.append(f'{fam} {sum(per_code.values())} lines in {len(per_code)} languages')
    print(f'fold {args.family}: {len(keep)} languages, {lines} training lines; test: ' + '; '.join(tested))


def rich_languages(path):
    """Languages with running text besides the UDHR (SOURCES column)."""
    rich = set()
    with open(path, encoding='utf-8') as f:
        for line in f:
            cols = line.rstrip('\n').split('\t')
            if len(cols) >= 3 and any(s and s != 'udhr' and s not in SHORT_FAMILIES
                                      for s in cols[2].split(',')):
                rich.add(cols[0])
    return rich


class Tally:
    def __init__(self):
        self.n = collections.Counter()
        self.ok = collections.Counter()

    def add(self, key, ok):
        self.n[key] += 1
        self.ok[key] += ok

    def pct(self, key):
        return 100.0 * self.ok[key] / self.n[key] if self.n[key] else float('nan')


def report(args):
    rich = rich_languages(args.languages)
    rows = []  # (family, gold, chars, letters, pred, p_top, p_gold, sum_sq)
    header = None
    for path in args.dumps:
        with open(path, encoding='utf-8') as f:
            head = f.readline().rstrip('\n').split('\t')
            header = header or head
            base = 4 + 4 * args.column
            for line in f:
                c = line.rstrip('\n').split('\t')
                if c[1] not in rich:
                    continue
                rows.append((c[0], c[1], int(c[2]), int(c[3]), c[base], float(c[base + 1]),
                             float(c[base + 2]), float(c[base + 3])))
    if not rows:
        raise SystemExit('no lines of languages with running text besides the UDHR')
    print(f'combination: {header[4 + 4 * args.column]} (prior strength / temperature); '
          f'{len(rows)} lines of {len({r[1] for r in rows})} languages with running text besides the UDHR')
    text = [r for r in rows if r[0] not in SHORT_FAMILIES]
    t = Tally()
    for r in rows:
        ok = r[4] == r[1]
        for scope, keep in (('text', r[0] not in SHORT_FAMILIES), ('all', True), (r[0], True)):
            if not keep:
                continue
            t.add((scope, 'all'), ok)
            if r[2] >= 50:
                t.add((scope, '50+'), ok)
            if r[2] <= 40:
                t.add((scope, '<=40'), ok)
            if 41 <= r[2] <= 49:
                t.add((scope, '41-49'), ok)
    print('\npooled LOSO accuracy (%)        lines     all    50+   <=40   (lines 50+ / <=40)')
    for scope, label in (('text', 'running-text families'), ('all', 'all families (with word lists, CLDR)')):
        print(f'{label:<31} {t.n[(scope, "all")]:6d}  {t.pct((scope, "all")):6.2f} {t.pct((scope, "50+")):6.2f} '
              f'{t.pct((scope, "<=40")):6.2f}   ({t.n[(scope, "50+")]} / {t.n[(scope, "<=40")]})')
    print('\nper family (left out, then tested)')
    print('family          languages  lines     all    50+   <=40')
    for fam in sorted({r[0] for r in rows}):
        langs = len({r[1] for r in rows if r[0] == fam})
        print(f'{fam:<15} {langs:9d} {t.n[(fam, "all")]:6d}  {t.pct((fam, "all")):6.2f} '
              f'{t.pct((fam, "50+")):6.2f} {t.pct((fam, "<=40")):6.2f}')

    # Reliability and calibration, running-text families.
    long_text = [r for r in text if r[2] >= 20]
    rel = [r for r in long_text if r[4] != 'und' and r[5] >= args.reliable and r[3] >= args.letters]
    rel_ok = sum(r[4] == r[1] for r in rel)
    print(f'\nreliable (p >= {args.reliable:g}, >= {args.letters} letters), texts of 20+ chars: '
          f'{100.0 * len(rel) / max(1, len(long_text)):.1f} % marked, '
          f'{100.0 * rel_ok / max(1, len(rel)):.2f} % of those right')
    for p in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95):
        sel = [r for r in long_text if r[4] != 'und' and r[5] >= p and r[3] >= args.letters]
        ok = sum(r[4] == r[1] for r in sel)
        print(f'  at p >= {p:4.2f}: {100.0 * len(sel) / max(1, len(long_text)):5.1f} % marked, '
              f'{100.0 * ok / max(1, len(sel)):6.2f} % right')
    brier = sum(r[7] - 2 * r[6] + 1 for r in text) / len(text)
    print(f'Brier score (running-text families): {brier:.4f}')
    print('calibration by top probability (running-text families)')
    print('  bucket      lines  mean p  accuracy')
    for lo in range(10):
        sel = [r for r in text if min(9, int(r[5] * 10)) == lo]
        if sel:
            mean = sum(r[5] for r in sel) / len(sel)
            acc = sum(r[4] == r[1] for r in sel) / len(sel)
            print(f'  {lo / 10:.1f}-{(lo + 1) / 10:.1f}  {len(sel):8d}  {mean:6.3f}  {acc:7.3f}')
    conf = collections.Counter((r[1], r[4]) for r in text if r[4] != r[1])
    print('\nmost frequent errors, running-text families (gold -> answer)')
    for (g, p), n in conf.most_common(args.confusions):
        print(f'  {g:<10} -> {p:<10} {n}')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='cmd', required=True)
    s = sub.add_parser('split')
    s.add_argument('family')
    s.add_argument('outdir')
    s.add_argument('--data', default='data')
    s.add_argument('--cap', type=int, default=300)
    r = sub.add_parser('report')
    r.add_argument('dumps', nargs='+')
    r.add_argument('--languages', default='data/languages.tsv')
    r.add_argument('--column', type=int, default=0)
    r.add_argument('--reliable', type=float, default=0.7)
    r.add_argument('--letters', type=int, default=3)
    r.add_argument('--confusions', type=int, default=25)
    args = ap.parse_args()
    split(args) if args.cmd == 'split' else report(args)


if __name__ == '__main__':
    main()
