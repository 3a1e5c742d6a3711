#!/usr/bin/env python3
"""The `written` family: everyday sentences written for the project by its
authors (2026-12) -- chat messages, e-mail openings and closings, questions,
reviews -- for the close neighbours the identifier confuses (issue 9).
Source: tools/corpus/written/CODE.txt, CODE = the label (ms, sr-Latn,
zh-Hant, ...), one sentence per line, UTF-8; no outside text.

Output: DIR/by_source/written.train.tsv (CODE<TAB>TEXT, in file order).
The family is for the trainer's fine-tuning phase only: it is NOT part of
train.tsv / heldout.tsv / languages.tsv, so the main epochs see exactly the
corpus they saw before it existed (and it is far too small to matter there:
~100 lines against 12,000 examples per language and epoch). It has no
held-out share: every line is used for training (60-160 lines per language
are too few to split; the everyday phrase files in tests/langid/ and the
leave-one-source-out folds are the measures).

Hygiene, each dropped line counted in the summary:
  * NFC, whitespace unified, empty lines and '#' comments skipped;
  * a line must have 2+ letters, most of them in the file's main script
    (brand names in Latin letters inside a Chinese line are kept);
  * duplicates within a language; a line written for two languages (both
    copies); a line that is in train.tsv under another label;
  * a line of heldout.tsv (held-out figures stay clean);
  * a line that is, or contains, a phrase of the everyday evaluation files
    (tests/langid/everyday-*.tsv), compared case-folded without punctuation:
    those phrases must never be training text.

usage: written.py [--out DIR] [--source DIR]
       (defaults data/ and tools/corpus/written/; prepare.py calls write_family)
"""
import collections
import glob
import os
import re
import sys
import unicodedata

sys.dont_write_bytecode = True

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
SOURCE_DIR = os.path.join(ROOT, 'tools', 'corpus', 'written')
EVAL_GLOB = os.path.join(ROOT, 'tests', 'langid', 'everyday-*.tsv')
FAMILY = 'written'
WS_RE = re.compile(r'\s+')


def norm(s):
    s = unicodedata.normalize('NFC', s).replace('\u00ad', '').replace('\ufeff', '')
    return WS_RE.sub(' ', s).strip()


def fold(s):
    """Case-folded, punctuation as spaces, spaces collapsed."""
    s = unicodedata.normalize('NFC', s).casefold()
    s = ''.join(c if c.isalnum() or c.isspace() else ' ' for c in s)
    return ' '.join(s.split())


def script_of(ch):
    """First word of the Unicode name (LATIN, CYRILLIC, CJK, ...)."""
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return ''
    word = name.split(' ', 1)[0]
    return 'CJK' if word in ('CJK', 'IDEOGRAPHIC') else word


def letters_by_script(s):
    counts = collections.Counter()
    for ch in s:
        if unicodedata.category(ch)[0] == 'L':
            counts[script_of(ch)] += 1
    return counts


def read_sources(source_dir=SOURCE_DIR):
    """{code: [line]} of tools/corpus/written/*.txt (normalised, comments skipped)."""
    out = {}
    for path in sorted(glob.glob(os.path.join(source_dir, '*.txt'))):
        code = os.path.basename(path)[:-len('.txt')]
        with open(path, encoding='utf-8', errors='replace') as f:
            lines = [norm(ln) for ln in f]
        out[code] = [ln for ln in lines if ln and not ln.startswith('#')]
    return out


def eval_phrases(pattern=EVAL_GLOB):
    phrases = set()
    for path in sorted(glob.glob(pattern)):
        with open(path, encoding='utf-8') as f:
            for line in f:
                if '\t' in line and not line.startswith('#'):
                    p = fold(line.rstrip('\n').split('\t', 1)[1])
                    if p:
                        phrases.add(p)
    return phrases


def contains_phrase(folded, phrases):
    """The folded line is an evaluation phrase or holds one of 3+ words."""
    if folded in phrases:
        return True
    words = folded.split()
    for i in range(len(words)):
        for j in range(i + 3, len(words) + 1):
            if ' '.join(words[i:j]) in phrases:
                return True
    return False


def labels_of_lines(path, wanted):
    """{line: set(codes)} for the lines of a CODE<TAB>TEXT file that are in `wanted`."""
    found = collections.defaultdict(set)
    if not os.path.isfile(path):
        return found
    with open(path, encoding='utf-8', errors='replace') as f:
        for line in f:
            code, _, text = line.rstrip('\n').partition('\t')
            if text in wanted:
                found[text].add(code)
    return found


def select(sources, known_codes, train_labels, heldout_labels, phrases):
    """(rows [(code, line)], dropped Counter) after the hygiene rules above."""
    dropped = collections.Counter()
    owners = collections.defaultdict(set)
    for code, lines in sources.items():
        for ln in lines:
            owners[ln].add(code)
    rows = []
    for code in sorted(sources):
        if code not in known_codes:
            dropped['unknown label ' + code] += len(sources[code])
            continue
        main = letters_by_script(''.join(sources[code])).most_common(1)
        main = main[0][0] if main else ''
        seen = set()
        for ln in sources[code]:
            counts = letters_by_script(ln)
            letters = sum(counts.values())
            if letters < 2 or counts[main] < 0.5 * letters:
                dropped['script'] += 1
            elif ln in seen:
                dropped['duplicate'] += 1
            elif len(owners[ln]) > 1:
                dropped['two labels'] += 1
            elif train_labels.get(ln, {code}) - {code}:
                dropped['other label in train'] += 1
            elif ln in heldout_labels:
                dropped['in held-out'] += 1
            elif contains_phrase(fold(ln), phrases):
                dropped['evaluation phrase'] += 1
            else:
                rows.append((code, ln))
            seen.add(ln)
    return rows, dropped


def known_labels(languages_tsv):
    with open(languages_tsv, encoding='utf-8') as f:
        return {ln.split('\t', 1)[0] for ln in f if ln.strip()}


def write_family(out_dir, source_dir=SOURCE_DIR, log=print):
    """Writes out_dir/by_source/written.train.tsv from the sources, checked
    against out_dir's train.tsv, heldout.tsv and languages.tsv."""
    sources = read_sources(source_dir)
    wanted = {ln for lines in sources.values() for ln in lines}
    rows, dropped = select(sources, known_labels(os.path.join(out_dir, 'languages.tsv')),
                           labels_of_lines(os.path.join(out_dir, 'train.tsv'), wanted),
                           labels_of_lines(os.path.join(out_dir, 'heldout.tsv'), wanted),
                           eval_phrases())
    by_dir = os.path.join(out_dir, 'by_source')
    os.makedirs(by_dir, exist_ok=True)
    path = os.path.join(by_dir, FAMILY + '.train.tsv')
    with open(path, 'w', encoding='utf-8') as f:
        for code, ln in rows:
            f.write('%s\t%s\n' % (code, ln))
    per = collections.Counter(code for code, _ in rows)
    log('written: %d lines of %d languages (fine-tuning only, no held-out share) -> %s; '
        'dropped: %s' % (len(rows), len(per), path,
                         ', '.join('%s=%d' % kv for kv in sorted(dropped.items())) or 'none'))
    return rows, dropped


def main(argv):
    out, source = os.path.join(ROOT, 'data'), SOURCE_DIR
    while argv:
        if len(argv) >= 2 and argv[0] == '--out':
            out = os.path.abspath(argv[1])
        elif len(argv) >= 2 and argv[0] == '--source':
            source = os.path.abspath(argv[1])
        else:
            sys.exit('usage: written.py [--out DIR] [--source DIR]')
        argv = argv[2:]
    write_family(out, source)


if __name__ == '__main__':
    main(sys.argv[1:])
