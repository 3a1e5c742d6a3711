"""Word lists as short training lines (Python 3 stdlib only).

Sources (all unpacked by fetch.sh into data/extract/):
  * hunspell-* / myspell-*: usr/share/hunspell/*.dic (affix flags dropped;
    charset from the .aff file's SET line);
  * aspell-*: words/NAME.txt made by `precat` from NAME.cwl(.gz) (charset
    from usr/lib/aspell/NAME.dat);
  * tesseract-ocr-*: words/CODE.txt made by `combine_tessdata -u` +
    `dawg2wordlist` from CODE.traineddata (the LSTM word list);
  * npm stopwords-iso: the most frequent function words of 58 languages.

A word list is not text: its words are turned into separate short lines,
single words and two- or three-word phrases made of random words of the
same list (one of them a stopword when the language has a stopword list), so
that short inputs are learnt without inventing documents.  Each word is a
"document" for the held-out split: a word whose stable hash falls in the
held-out share is used only in held-out lines.

    collect(ext_dir) -> {(locale base, script hint): Vocab}
    make_lines(vocab, split, key, max_chars) -> [line]
"""
import collections
import hashlib
import json
import os
import random
import re
import unicodedata
import zlib

import lang_map

HELDOUT_PCT = 12
SEED = 20240601
MAX_WORDS_PER_LIST = 40_000

# Tesseract language codes -> (locale for lang_map, script hint)
TESSERACT = {
    'chi_sim': ('zh_CN', None), 'chi_tra': ('zh_TW', None),
    'srp_latn': ('sr', 'Latn'), 'aze_cyrl': ('az', 'Cyrl'),
    'uzb_cyrl': ('uz', 'Cyrl'), 'fil': ('tl', None), 'nor': ('nb', None),
    'kmr': ('ku', None), 'msa': ('ms', None), 'que': (None, None),
    'lat': ('lat', None),
}
TESSERACT_SKIP = {'osd', 'equ', 'enm', 'frm', 'grc', 'ita_old', 'spa_old',
                  'kat_old', 'frk', 'chi_sim_vert', 'chi_tra_vert',
                  'jpn_vert', 'kor_vert'}
# stopwords-iso codes that need a mapping
STOPWORDS_CODES = {'no': 'nb', 'zh': 'zh_CN', 'la': 'lat'}
# stopwords-iso lists not used: the Urdu list is mis-encoded (a legacy font
# mapping: most entries are not Urdu words).
STOPWORDS_SKIP = {'ur'}
# Languages whose common nouns are capitalised: capitalised entries kept.
CAPITALISED_NOUNS = {'de', 'lb', 'gsw', 'bar', 'nds', 'ksh', 'pfl'}
# Scripts written without spaces between words.
NO_SPACE_SCRIPTS = ('CJK', 'HIRAGANA', 'KATAKANA', 'THAI', 'LAO', 'KHMER',
                    'MYANMAR')

_CODEC_ALIASES = {'microsoft-cp1251': 'cp1251', 'microsoft-cp1250': 'cp1250',
                  'microsoft-cp1252': 'cp1252', 'tis620-2533': 'tis-620',
                  'iso8859-15': 'iso8859_15'}
_INNER = set("'’-·\u200c\u200d")


class Vocab:
    def __init__(self):
        self.words = set()
        self.stop = set()
        self.sources = set()    # package names (or npm-stopwords-iso)


def stable_hash(s):
    return int(hashlib.md5(s.encode('utf-8')).hexdigest()[:12], 16)


def split_of(word):
    return 'heldout' if stable_hash('word:' + word) % 100 < HELDOUT_PCT else 'train'


def usable(word, base):
    """Normalised word, or None for entries that are not plain words."""
    w = unicodedata.normalize('NFC', word.strip())
    if not w or len(w) > 30:
        return None
    letters = 0
    for i, ch in enumerate(w):
        cat = unicodedata.category(ch)
        if cat[0] in 'LM':
            letters += cat[0] == 'L'
        elif ch in _INNER and 0 < i < len(w) - 1:
            continue
        else:
            return None
    if letters == 0:
        return None
    if w.lower() != w:
        if w.upper() == w and len(w) > 1:
            return None                     # abbreviation
        if w[0].isupper() and base not in CAPITALISED_NOUNS:
            return None                     # proper name (or a duplicate)
    return w


def _codec(name):
    name = (name or 'utf-8').strip().lower()
    name = _CODEC_ALIASES.get(name, name)
    try:
        import codecs
        codecs.lookup(name)
        return name
    except LookupError:
        return 'utf-8'


def _read_lines(path, codec):
    with open(path, 'rb') as f:
        raw = f.read()
    try:
        text = raw.decode('utf-8')
    except UnicodeDecodeError:
        text = raw.decode(codec, errors='replace')
    return text.split('\n')


def _hunspell_words(dic):
    aff = dic[:-4] + '.aff'
    codec = 'utf-8'
    if os.path.isfile(aff):
        with open(aff, 'rb') as f:
            m = re.search(rb'^SET\s+(\S+)', f.read(), re.M)
        if m:
            codec = _codec(m.group(1).decode('ascii', 'replace'))
    out = []
    for i, line in enumerate(_read_lines(dic, codec)):
        if i == 0 or not line or line[0] in '#\t ':
            continue
        w = re.split(r'(?<!\\)/|\t| ', line, maxsplit=1)[0].replace('\\/', '/')
        out.append(w)
    return out


def _aspell_words(txt, pkgdir, name):
    codec = 'utf-8'
    libdir = os.path.join(pkgdir, 'usr', 'lib', 'aspell')
    for cand in (name, re.split(r'[-_]', name)[0]):
        dat = os.path.join(libdir, cand + '.dat')
        if os.path.isfile(dat):
            with open(dat, 'rb') as f:
                m = re.search(rb'^charset\s+(\S+)', f.read(), re.M)
            if m:
                codec = _codec(m.group(1).decode('ascii', 'replace'))
            break
    return [line.split('/')[0] for line in _read_lines(txt, codec)]


def _locale_key(loc, hint=None):
    base, h = lang_map.from_locale(loc)
    if not base:
        return None
    return base, hint or h


def collect(ext_dir):
    vocab = collections.defaultdict(Vocab)

    def add(key, words, source, stop=False):
        if not key:
            return
        v = vocab[key]
        n = 0
        # Long lists are thinned first by a cheap stable hash (crc32): only
        # a few thousand words per language are ever used.
        step = -(-len(words) // MAX_WORDS_PER_LIST)
        if step > 1:
            words = [w for w in words if zlib.crc32(w.encode('utf-8')) % step == 0]
        for w in words:
            u = usable(w, key[0])
            if u:
                (v.stop if stop else v.words).add(u)
                n += 1
        if n:
            v.sources.add(source)

    if not os.path.isdir(ext_dir):
        return {}
    for pkg in sorted(os.listdir(ext_dir)):
        root = os.path.join(ext_dir, pkg)
        if pkg.startswith(('hunspell-', 'myspell-')):
            for sub in ('hunspell', 'myspell'):
                d = os.path.join(root, 'usr', 'share', sub)
                if not os.path.isdir(d):
                    continue
                for fn in sorted(os.listdir(d)):
                    p = os.path.join(d, fn)
                    if fn.endswith('.dic') and not os.path.islink(p):
                        add(_locale_key(fn[:-4]), _hunspell_words(p), pkg)
        elif pkg.startswith('aspell-'):
            d = os.path.join(root, 'words')
            for fn in sorted(os.listdir(d)) if os.path.isdir(d) else []:
                name = fn[:-4]
                add(_locale_key(re.split(r'-', name)[0]),
                    _aspell_words(os.path.join(d, fn), root, name), pkg)
        elif pkg.startswith('tesseract-ocr-'):
            d = os.path.join(root, 'words')
            for fn in sorted(os.listdir(d)) if os.path.isdir(d) else []:
                code = fn[:-4]
                if code in TESSERACT_SKIP:
                    continue
                loc, hint = TESSERACT.get(code, (code, None))
                if not loc:
                    continue
                add(_locale_key(loc, hint),
                    _read_lines(os.path.join(d, fn), 'utf-8'), pkg)
    sw = os.path.join(ext_dir, 'npm-stopwords-iso', 'package', 'stopwords-iso.json')
    if os.path.isfile(sw):
        with open(sw, encoding='utf-8') as f:
            table = json.load(f)
        for code in sorted(table):
            if code in STOPWORDS_SKIP:
                continue
            add(_locale_key(STOPWORDS_CODES.get(code, code)), table[code],
                'npm-stopwords-iso', stop=True)
    return dict(vocab)


def _joiner(words):
    for ch in ''.join(words):
        if unicodedata.category(ch)[0] == 'L':
            return '' if unicodedata.name(ch, '').startswith(NO_SPACE_SCRIPTS) else ' '
    return ' '


def make_lines(vocab, split, key, max_chars):
    """Short lines from the words of one side of the split, up to max_chars.

    Every word of the side is used at most once as the main word of a line,
    in stable-hash order; 45 % of lines are that word alone, 40 % a pair and
    15 % a triple with random partners (a stopword half of the time when the
    language has a stopword list)."""
    words = [w for w in vocab.words | vocab.stop if split_of(w) == split]
    # Frequent words are short: the main words of lines are taken from the
    # shorter part of the list (at most the 40th percentile of its lengths).
    if len(words) > 200:
        lengths = sorted(len(w) for w in words)
        limit = max(5, lengths[len(lengths) * 2 // 5])
        words = [w for w in words if len(w) <= limit or w in vocab.stop]
    words.sort(key=lambda w: stable_hash('order:' + w))
    stop = sorted(w for w in vocab.stop if split_of(w) == split)
    if not words:
        return []
    rng = random.Random('%s:%s:%s' % (SEED, key, split))
    lines, total = [], 0
    for w in words:
        if total >= max_chars:
            break
        r = rng.random()
        n = 1 if r < 0.45 else 2 if r < 0.85 else 3
        if n == 1 and sum(1 for ch in w if ch.isalpha()) < 3:
            n = 2
        parts = [w]
        while len(parts) < n:
            if stop and rng.random() < 0.5:
                p = stop[rng.randrange(len(stop))]
            else:
                p = words[rng.randrange(len(words))]
            if p not in parts:
                parts.insert(rng.randrange(len(parts) + 1), p)
            elif len(words) < 3:
                break
        line = _joiner(parts).join(parts)
        lines.append(line)
        total += len(line)
    return lines
