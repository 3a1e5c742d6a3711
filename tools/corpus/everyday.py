"""Readers of the `everyday` family: plain everyday language from education
and locale packages (issue 9: the identifier fails between close neighbours
on non-software text).

* ktouch-data: typing-course lessons; only courses that are real prose
  (KTOUCH_PROSE; the others are generated or truncated word drills) and only
  lessons that read as sentences (not "fff jjj" drills).
* tuxtype-data: themed word lists per language (`themes/<name>/words/*.txt`).
* kdeedu-kvtml-data: KDE-Edu vocabulary files (`apps/kvtml/<loc>/*.kvtml`).
* npm moment: locale files, relative-time phrases ("a few seconds ago"),
  calendar phrases ("Today at"), month and day names.
* npm date-fns: `locale/<loc>/_lib/`: distance phrases ("about 1 hour",
  "almost 2 years"), relative-day phrases ("yesterday at"), the wide
  month / day / quarter names.

Only the languages of EVERYDAY_LANGS are read: the confusable pairs the
identifier gets wrong, with both sides of each pair.
"""
import html
import os
import re
import xml.etree.ElementTree as ET

EVERYDAY_LANGS = {
    'sco', 'en', 'id', 'ms', 'hr', 'sr', 'bs', 'fo', 'is', 'cs', 'sk', 'jv',
    'tl', 'gl', 'pt', 'zh', 'da', 'nb', 'nn', 'no', 'sl', 'ast', 'es', 'af',
    'fy', 'ur', 'mk'}

# ktouch course file -> locale, for the courses that hold real prose.
KTOUCH_PROSE = {'dk1.xml': 'da'}

# tuxtype theme directory -> locale
TUXTYPE_THEMES = {
    'asturian': 'ast', 'bokmal': 'nb', 'nynorsk': 'nn', 'dansk': 'da',
    'czech': 'cs', 'espanol': 'es', 'brazilian-portuguese': 'pt_BR'}

# moment locale file name -> locale (the others are mapped by lang_map)
MOMENT_LOCALES = {'tl-ph': 'tl', 'sr-cyrl': 'sr@cyrillic', 'sr': 'sr@latin',
                  'zh-cn': 'zh_CN', 'zh-tw': 'zh_TW', 'zh-hk': 'zh_TW',
                  'zh-mo': 'zh_TW', 'ms-my': 'ms'}


# date-fns locale directory -> locale (the others are mapped by lang_map)
DATEFNS_LOCALES = {'sr': 'sr@cyrillic', 'sr-Latn': 'sr@latin', 'zh-CN': 'zh_CN',
                   'zh-TW': 'zh_TW', 'zh-HK': 'zh_TW'}


def lang_of(loc):
    """Base language of a locale name such as pt_BR, sr@latin, zh-cn."""
    return re.split(r'[-_@]', loc)[0].lower()


def ktouch_lessons(path):
    """Prose sentences of a ktouch course (one paragraph per lesson).  The
    lessons mix drills ("fff jjj", repeated word groups) with prose, so
    each sentence must read as one: 5+ words, letters only, few repeats."""
    root = ET.parse(path).getroot()
    pars = []
    for lesson in root.iter('lesson'):
        el = lesson.find('text')
        if el is None or not el.text:
            continue
        text = re.sub(r'-\n(?=\w)', '', html.unescape(el.text))   # re-join hy-\nphens
        text = re.sub(r'\s+', ' ', text).strip()
        keep = []
        for sent in re.split(r'(?<=[.!?])\s+', text):
            words = sent.split()
            plain = [w for w in words if re.fullmatch(r'[^\W\d_]+[.,;:!?]?', w)]
            if len(words) >= 5 and len(plain) >= 0.9 * len(words) and sent not in keep \
                    and len(set(words)) >= 0.85 * len(words) and sent[-1] in '.!?':
                keep.append(sent)
        if keep:
            pars.append(' '.join(keep))
    return pars


def tuxtype_words(path):
    """Items of a tuxtype word list (one per line; capitals lowered)."""
    with open(path, encoding='utf-8', errors='replace') as f:
        lines = [ln.strip() for ln in f]
    return [ln.lower() if ln.isupper() else ln for ln in lines if ln]


def kvtml_words(path):
    """The texts of a KDE-Edu vocabulary file (words and short phrases)."""
    root = ET.parse(path).getroot()
    out = []
    for tr in root.iter('translation'):
        el = tr.find('text')
        if el is not None and el.text and el.text.strip():
            out.append(el.text.strip())
    return out


_JS_STRING = re.compile(r"'((?:[^'\\\n]|\\.)*)'|\"((?:[^\"\\\n]|\\.)*)\"")
_MOMENT_TOKEN = re.compile(r'(?<!\w)(?:LTS|LT|L{1,4}|l{1,4}|D{1,4}|Do|d{1,4}|M{1,4}|Y{2,4}|'
                           r'H{1,2}|h{1,2}|k{1,2}|m{1,2}|s{1,2}|A|a|w{1,2}|W{1,2}|E|e|Q|X|x)(?!\w)')
_JS_WORDS = {'object', 'function', 'undefined', 'use strict', 'number', 'string'}


def _moment_literal(s):
    """Text of one string literal of a moment locale, or None."""
    s = re.sub(r'%[sd]', ' ', s)
    if '[' in s:                        # '[Hari ini pukul] LT': escaped text
        s = ' '.join(re.findall(r'\[([^\]]*)\]', s))
    elif _MOMENT_TOKEN.sub('', s) != s:
        s = _MOMENT_TOKEN.sub(' ', s)   # 'dddd, D MMMM' style format
    if re.search(r'[^\W\d_]', re.sub(r'[\x00-\u024f]', '', s)):
        s = re.sub(r'[A-Za-z]+', ' ', s)  # non-Latin text: ASCII letters are tokens
    if re.search(r'[\\^|$(){}]', s) or s.strip() in _JS_WORDS:
        return None
    s = re.sub(r'\s+', ' ', s).strip(' ,.-:/')
    if not re.search(r'\w\w', s) or re.fullmatch(r'[^\W\u2e80-\uffff]{1,3}', s):
        return None                     # abbreviations 'Ah', 'sij' (not CJK words)
    return s


def moment_phrases(path):
    """Phrases of a moment locale file: every string literal of the locale
    definition ('_'-joined lists split), and the relative-time templates
    filled in ('dalam %s' + 'sebulan' -> 'dalam sebulan')."""
    with open(path, encoding='utf-8') as f:
        src = f.read()
    i = src.find('defineLocale(')
    if i < 0:
        return []
    src = re.sub(r'^\s*//.*$', '', src[i + len('defineLocale('):], flags=re.M)
    src = src[src.find(',') + 1:]       # past the locale name
    out = []
    for m in _JS_STRING.finditer(src):
        lit = m.group(1) if m.group(1) is not None else m.group(2)
        for part in lit.split('_'):
            t = _moment_literal(part)
            if t:
                out.append(t)
    rel = re.search(r'relativeTime\s*:\s*\{(.*?)\}', src, re.S)
    if rel:
        kv = dict(re.findall(r"(\w+)\s*:\s*'([^'\n]*)'", rel.group(1)))
        units = [v for k, v in kv.items() if k not in ('future', 'past') and '%' not in v]
        for tmpl in (kv.get('future'), kv.get('past')):
            if tmpl and tmpl.count('%s') == 1:
                out.extend(tmpl.replace('%s', u) for u in units)
    seen, uniq = set(), []
    for t in out:
        if t not in seen:
            seen.add(t)
            uniq.append(t)
    return uniq


_DQ_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def datefns_phrases(lib_dir):
    """Phrases of one date-fns locale (`locale/<loc>/_lib/`)."""
    def read(name):
        try:
            with open(os.path.join(lib_dir, name), encoding='utf-8') as f:
                return re.sub(r'^\s*//.*$', '', f.read(), flags=re.M)
        except OSError:
            return ''
    out = []
    for key, lit in re.findall(r'(?:(\w+)\s*:\s*)?"((?:[^"\\\n]|\\.)*)"',
                               read('formatDistance.js')):
        n = {'one': '1', 'dual': '2', 'two': '2', 'few': '3'}.get(key, '5')
        out.append(lit.replace('{{count}}', n))     # a count that fits the plural form
    for lit in _DQ_STRING.findall(read('formatRelative.js')):
        out.extend(re.findall(r"'([^']+)'", lit))     # text is quoted, tokens are not
    for block in re.findall(r'\bwide:\s*\[(.*?)\]', read('localize.js'), re.S):
        out.extend(_DQ_STRING.findall(block))
    seen, uniq = set(), []
    for t in out:
        t = re.sub(r'\s+', ' ', t).strip(' ,')
        if re.search(r'\w\w', t) and t not in seen:
            seen.add(t)
            uniq.append(t)
    return uniq


def documents(ext):
    """(source, locale, relative path, loader, kind) of every everyday
    document below the extraction directory `ext`."""
    docs = []
    kt = os.path.join(ext, 'ktouch-data', 'usr', 'share', 'ktouch', 'courses')
    for fn, loc in sorted(KTOUCH_PROSE.items()):
        if os.path.isfile(os.path.join(kt, fn)):
            docs.append(('ktouch', loc, 'ktouch-data/usr/share/ktouch/courses/' + fn,
                         ktouch_lessons, 'prose'))
    tt = os.path.join(ext, 'tuxtype-data', 'usr', 'share', 'tuxtype', 'themes')
    for theme, loc in sorted(TUXTYPE_THEMES.items()):
        wd = os.path.join(tt, theme, 'words')
        if lang_of(loc) in EVERYDAY_LANGS and os.path.isdir(wd):
            for fn in sorted(os.listdir(wd)):
                if fn.endswith('.txt'):
                    docs.append(('tuxtype', loc, 'tuxtype-data/usr/share/tuxtype/themes/%s/words/%s'
                                 % (theme, fn), tuxtype_words, 'short'))
    kv = os.path.join(ext, 'kdeedu-kvtml-data', 'usr', 'share', 'apps', 'kvtml')
    for loc in sorted(os.listdir(kv)) if os.path.isdir(kv) else []:
        if lang_of(loc) not in EVERYDAY_LANGS or '@ijekavian' in loc:
            continue
        for fn in sorted(os.listdir(os.path.join(kv, loc))):
            if fn.endswith('.kvtml'):
                docs.append(('kvtml', loc, 'kdeedu-kvtml-data/usr/share/apps/kvtml/%s/%s' % (loc, fn),
                             kvtml_words, 'short'))
    mo = os.path.join(ext, 'npm-moment', 'package', 'locale')
    for fn in sorted(os.listdir(mo)) if os.path.isdir(mo) else []:
        name = fn[:-3]
        loc = MOMENT_LOCALES.get(name, name.replace('-', '_'))
        if fn.endswith('.js') and lang_of(loc) in EVERYDAY_LANGS:
            docs.append(('moment', loc, 'npm-moment/package/locale/' + fn,
                         moment_phrases, 'short'))
    dl = os.path.join(ext, 'npm-date-fns', 'package', 'locale')
    for name in sorted(os.listdir(dl)) if os.path.isdir(dl) else []:
        loc = DATEFNS_LOCALES.get(name, name.replace('-', '_'))
        lib = os.path.join(dl, name, '_lib')
        if lang_of(loc) in EVERYDAY_LANGS and os.path.isdir(lib):
            docs.append(('date-fns', loc, 'npm-date-fns/package/locale/%s/_lib' % name,
                         datefns_phrases, 'short'))
    return docs
