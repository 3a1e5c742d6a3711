#!/usr/bin/env python3
"""Serbian Latin text made from the corpus's Serbian Cyrillic text.

Serbian is written in both alphabets, and the two map one to one (Gaj's
Latin alphabet: љ = lj, њ = nj, џ = dž, ђ = đ, ћ = ć ...).  The corpus has
four times more Cyrillic running text than Latin (software, education,
manual pages), and its sr-Latn lines are mostly UI strings and game text,
so a model trained without the games family answered Croatian or Bosnian
to almost every longer Serbian Latin line (tools/train/EXPERIMENTS.md,
"Serbian Latin from Cyrillic").  Transliterated, the Cyrillic lines teach
the Latin label the ekavian forms and Serbian words (gde, vreme, sledeći,
hleb) that tell it from its neighbours.

tools/train/train_langid.sh appends these lines to train.tsv for the main
epochs (the fine-tuning phase's ordinary examples come from there too).
Hygiene, each count reported:
  * a line with a Cyrillic letter Serbian does not use (ы, э, я, ю, ё, й,
    щ, ъ, ь, і, ї, є, ґ, ў) is not Serbian: dropped;
  * a line without Cyrillic letters has nothing to transliterate: dropped;
  * a line whose Latin form is in heldout.tsv (any label), is in train.tsv
    under another label, or contains an everyday evaluation phrase:
    dropped (held-out and everyday figures stay clean);
  * duplicates and lines already in train.tsv as sr-Latn: dropped.

usage: serbian_latin.py --data DIR -o OUT.tsv [--exclude FAMILY,...]
       (reads DIR/by_source/*.train.tsv, DIR/train.tsv, DIR/heldout.tsv;
       --exclude leaves out families, e.g. a leave-one-source-out fold's)
"""
import argparse
import glob
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import written  # noqa: E402  (labels_of_lines, eval_phrases, contains_phrase, fold)

SOURCE_LABEL = 'sr-Cyrl'
TARGET_LABEL = 'sr-Latn'

# Lower-case Serbian Cyrillic -> Latin; capitals handled by to_latin.
LETTERS = {
    'а': 'a', 'б': 'b', 'в': 'v', 'г': 'g', 'д': 'd', 'ђ': 'đ', 'е': 'e',
    'ж': 'ž', 'з': 'z', 'и': 'i', 'ј': 'j', 'к': 'k', 'л': 'l', 'љ': 'lj',
    'м': 'm', 'н': 'n', 'њ': 'nj', 'о': 'o', 'п': 'p', 'р': 'r', 'с': 's',
    'т': 't', 'ћ': 'ć', 'у': 'u', 'ф': 'f', 'х': 'h', 'ц': 'c', 'ч': 'č',
    'џ': 'dž', 'ш': 'š',
}
NOT_SERBIAN = set('ыэяюёйщъьіїєґўЫЭЯЮЁЙЩЪЬІЇЄҐЎ')


def is_cyrillic(ch):
    return '\u0400' <= ch <= '\u04ff'


def to_latin(text):
    """The Latin form of Serbian Cyrillic TEXT; other characters unchanged.
    A capital digraph letter (Љ, Њ, Џ) is 'LJ' next to another capital
    ('ЉУБАВ' -> 'LJUBAV') and 'Lj' otherwise ('Љубав' -> 'Ljubav')."""
    out = []
    for i, ch in enumerate(text):
        low = ch.lower()
        latin = LETTERS.get(low)
        if latin is None:
            out.append(ch)
        elif ch == low:
            out.append(latin)
        elif len(latin) == 1:
            out.append(latin.upper())
        else:
            neighbours = text[max(0, i - 1):i] + text[i + 1:i + 2]
            all_caps = any(c.isupper() for c in neighbours)
            out.append(latin.upper() if all_caps else latin[0].upper() + latin[1:])
    return ''.join(out)


def convertible(text):
    """True when TEXT has Serbian Cyrillic letters and no other Cyrillic ones."""
    return any(is_cyrillic(c) for c in text) and not any(c in NOT_SERBIAN for c in text)


def family_of(path):
    return os.path.basename(path)[:-len('.train.tsv')]


def build(data_dir, exclude=()):
    """[(label, line)] of Serbian Latin made from DATA_DIR's families, and the
    drop counts."""
    drops = {'not Serbian': 0, 'no Cyrillic': 0, 'held-out': 0, 'other label in train': 0,
             'evaluation phrase': 0, 'duplicate or already sr-Latn': 0}
    candidates = []  # Latin forms, in file order
    for path in sorted(glob.glob(os.path.join(data_dir, 'by_source', '*.train.tsv'))):
        if family_of(path) in exclude:
            continue
        with open(path, encoding='utf-8') as f:
            for row in f:
                code, _, text = row.rstrip('\n').partition('\t')
                if code != SOURCE_LABEL:
                    continue
                if any(c in NOT_SERBIAN for c in text):
                    drops['not Serbian'] += 1
                elif not convertible(text):
                    drops['no Cyrillic'] += 1
                else:
                    candidates.append(to_latin(text))
    wanted = set(candidates)
    train = written.labels_of_lines(os.path.join(data_dir, 'train.tsv'), wanted)
    heldout = written.labels_of_lines(os.path.join(data_dir, 'heldout.tsv'), wanted)
    phrases = written.eval_phrases()
    out, seen = [], set()
    for latin in candidates:
        if latin in heldout:
            drops['held-out'] += 1
        elif train.get(latin, set()) - {TARGET_LABEL}:
            drops['other label in train'] += 1
        elif written.contains_phrase(written.fold(latin), phrases):
            drops['evaluation phrase'] += 1
        elif latin in seen or TARGET_LABEL in train.get(latin, ()):
            drops['duplicate or already sr-Latn'] += 1
        else:
            seen.add(latin)
            out.append((TARGET_LABEL, latin))
    return out, drops


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', required=True, help='prepared corpus folder (train.tsv, heldout.tsv, by_source/)')
    ap.add_argument('-o', '--out', required=True)
    ap.add_argument('--exclude', default='', help='families to leave out, comma-separated')
    args = ap.parse_args()
    rows, drops = build(args.data, {f for f in args.exclude.split(',') if f})
    with open(args.out, 'w', encoding='utf-8') as f:
        for code, text in rows:
            f.write(f'{code}\t{text}\n')
    dropped = ', '.join(f'{k}={v}' for k, v in drops.items() if v)
    print(f'serbian_latin: {len(rows)} lines -> {args.out}; dropped: {dropped or "none"}')


if __name__ == '__main__':
    main()
