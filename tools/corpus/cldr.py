"""CLDR strings as short training lines (Python 3 stdlib only).

From the npm packages cldr-annotations-full (emoji names and keywords:
everyday words), cldr-localenames-full (names of languages, countries and
scripts), cldr-dates-full (month and day names, relative dates such as
"yesterday" / "next week", time-zone names), cldr-units-full (unit names)
and cldr-misc-full (character category labels).  Each JSON file of a locale
is one document (for the held-out split); each string is one line.

Used: locales without a region (`fr`, `sr-Latn`, `pa-Arab`), never the
regional variants (mostly copies).  Dropped: strings equal to the English
value at the same place (untranslated), placeholders such as `{0}` and
strings left without letters.

    documents(ext_dir) -> [(locale, relative path, absolute path)]
    strings(path) -> [string]
"""
import functools
import json
import os
import re

PACKAGES = ('cldr-annotations-full', 'cldr-localenames-full', 'cldr-dates-full',
            'cldr-units-full', 'cldr-misc-full')
# file name -> the JSON branches used (None = everything in the file)
FILES = {
    'annotations.json': None,
    'languages.json': None,
    'territories.json': None,
    'scripts.json': None,
    'ca-gregorian.json': ('months', 'days', 'dayPeriods', 'quarters'),
    'dateFields.json': None,
    'timeZoneNames.json': ('generic',),
    'units.json': ('long',),
    'characterLabels.json': None,
}
# abbreviated forms and patterns with a number in them are not words
_SKIP_KEYS = {'abbreviated', 'narrow', 'short', 'relativeTime', 'exemplarCity',
              'relativePeriod', 'identity'}
_SKIP_SUFFIXES = ('-short', '-narrow', '-alt-variant', '-alt-short', '-alt-narrow',
                  '-alt-menu', '-alt-secondary')
_PLACEHOLDER = re.compile(r'\{\d+\}|\{[A-Za-z_]+\}')
_LOCALE = re.compile(r'^[a-z]{2,3}(-[A-Z][a-z]{3})?$')


def documents(ext_dir):
    docs = []
    for pkg in PACKAGES:
        root = os.path.join(ext_dir, 'npm-' + pkg, 'package')
        for top in ('main', 'annotations'):
            d = os.path.join(root, top)
            if not os.path.isdir(d):
                continue
            for loc in sorted(os.listdir(d)):
                if not _LOCALE.match(loc) or loc in ('en', 'root', 'und'):
                    continue
                for fn in sorted(os.listdir(os.path.join(d, loc))):
                    if fn in FILES:
                        rel = 'npm-%s/package/%s/%s/%s' % (pkg, top, loc, fn)
                        docs.append((loc, rel, os.path.join(ext_dir, rel)))
    return docs


def locale_parts(loc):
    """'sr-Latn' -> ('sr', 'Latn'); 'fr' -> ('fr', None)."""
    base, _, script = loc.partition('-')
    return base, script or None


def _walk(node, en, keys, path, out):
    if isinstance(node, dict):
        for k in sorted(node):
            sub_en = en.get(k) if isinstance(en, dict) else None
            _walk(node[k], sub_en, keys, path + (k,), out)
    elif isinstance(node, list):
        en_set = set(en) if isinstance(en, list) else set()
        for v in node:
            if isinstance(v, str) and v not in en_set:
                out.append(v)
    elif isinstance(node, str):
        if keys is not None and not any(k in keys for k in path):
            return
        if any(k in _SKIP_KEYS or k.endswith(_SKIP_SUFFIXES) or k.startswith('relativeTime')
               for k in path):
            return
        if node != en:
            out.append(node)


@functools.lru_cache(maxsize=16)
def _load_english(path):
    if not os.path.isfile(path):
        return {}
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def strings(path):
    """Translated strings of one CLDR JSON file (see the module doc)."""
    fn = os.path.basename(path)
    keys = FILES.get(fn)
    loc = os.path.basename(os.path.dirname(path))
    en_path = os.path.join(os.path.dirname(os.path.dirname(path)), 'en', fn)
    with open(path, encoding='utf-8') as f:
        data = json.load(f)
    en = _load_english(en_path)
    # both files: {"main"|"annotations": {LOCALE: {...}}}
    def body(d, lc):
        if 'annotations' in d:
            return d['annotations'].get('annotations', {})
        return d.get('main', {}).get(lc, {})
    node, en_node = body(data, loc), body(en, 'en')
    raw = []
    _walk(node, en_node, keys, (), raw)
    out, seen = [], set()
    for s in raw:
        s = _PLACEHOLDER.sub(' ', s)
        s = ' '.join(s.split()).strip(' :-–,')
        if not s or s in seen or not any(ch.isalpha() for ch in s):
            continue
        seen.add(s)
        out.append(s)
    return out
