#!/usr/bin/env python3
"""Independent evaluation sets for the language identifier (stdlib only).

Made from packages that are NEVER used for training (fetch.sh extracts them
into data/eval-extract/, prepare.py does not read that folder):

  * Firefox ESR language packs (`firefox-esr-l10n-*`): UI strings, from the
    Fluent (.ftl) and .properties files inside each .xpi;
  * `gnome-user-docs`: the GNOME help pages (Mallard .page files).

Writes, with the language codes of data/languages.tsv (run prepare.py first):

  data/eval/firefox.tsv          CODE<TAB>TEXT, snippets of 10-400 chars
  data/eval/firefox.short.tsv    CODE<TAB>TEXT, items of <= 40 chars
  data/eval/gnome-help.tsv       as firefox.tsv
  data/eval/gnome-help.short.tsv as firefox.short.tsv
  data/eval/README.txt           what was made, counts per language

At most MAX_PER_LANG lines per language and file (chosen by a stable hash,
so every run picks the same lines).  Lines are cleaned and filtered like
training lines (prepare.py), untranslated English (a line also found in the
English pack / original) is dropped, and every line whose normalised form
occurs anywhere in data/train.tsv or data/heldout.tsv is dropped.  Locales
whose language is not among the trained codes are skipped (listed in
README.txt).
"""
import collections
import os
import re
import sys
import xml.etree.ElementTree as ET
import zipfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import english_leftovers  # noqa: E402
import lang_map  # noqa: E402
import prepare  # noqa: E402

ROOT = prepare.ROOT
DATA = prepare.DATA
EVAL_EXT = os.path.join(DATA, 'eval-extract')
OUT = os.path.join(DATA, 'eval')
MAX_PER_LANG = 300
SHORT_MAX = 40
SHORT_MIN_LETTERS = 4


# ----------------------------------------------------------------- Firefox
_FTL_MSG = re.compile(r'^(-?[A-Za-z][\w-]*)\s*=\s*(.*)$')
_FTL_ATTR = re.compile(r'^\s+\.[\w-]+\s*=\s*(.*)$')
_BRAND = re.compile(r'\{\s*-brand-[\w-]*name\s*\}')
_PLACEABLE = re.compile(r'\{[^{}]*\}')
_PROP_PLACEHOLDER = re.compile(r'%(\d+\$)?[sdS]|#\d|\$\w+')


def ftl_strings(text):
    """Values and attributes of a Fluent file; select expressions skipped."""
    out, cur = [], None

    def flush():
        if cur is not None:
            v = ' '.join(x.strip() for x in cur if x.strip())
            if v and '->' not in v:
                out.append(v)

    for line in text.split('\n'):
        if not line.strip() or line.lstrip().startswith('#'):
            flush()
            cur = None
            continue
        m = _FTL_MSG.match(line)
        if m and not line[0].isspace():
            flush()
            cur = [] if m.group(1).startswith('-') else [m.group(2)]
            if m.group(1).startswith('-'):
                cur = None
            continue
        m = _FTL_ATTR.match(line)
        if m:
            flush()
            cur = [m.group(1)]
            continue
        if cur is not None and line[:1].isspace():
            cur.append(line)
    flush()
    res = []
    for v in out:
        v = _BRAND.sub('Firefox', v)
        v = _PLACEABLE.sub(' ', v)
        res.append(v)
    return res


def properties_strings(text):
    out = []
    for line in text.split('\n'):
        line = line.strip()
        if not line or line[0] in '#!' or '=' not in line:
            continue
        v = line.split('=', 1)[1].strip()
        v = v.encode('latin-1', 'backslashreplace').decode('unicode_escape', 'replace') \
            if '\\u' in v else v
        out.append(_PROP_PLACEHOLDER.sub(' ', v))
    return out


def firefox_items():
    """{locale: [string]} from every language pack."""
    res = {}
    if not os.path.isdir(EVAL_EXT):
        return res
    for pkg in sorted(os.listdir(EVAL_EXT)):
        if not pkg.startswith('firefox-esr-l10n-'):
            continue
        for dp, _dns, fns in sorted(os.walk(os.path.join(EVAL_EXT, pkg))):
            for fn in sorted(fns):
                m = re.match(r'langpack-([\w-]+)@', fn)
                if not (m and fn.endswith('.xpi')):
                    continue
                items = []
                with zipfile.ZipFile(os.path.join(dp, fn)) as z:
                    for name in sorted(z.namelist()):
                        if name.endswith('.ftl'):
                            items += ftl_strings(z.read(name).decode('utf-8', 'replace'))
                        elif name.endswith('.properties'):
                            items += properties_strings(z.read(name).decode('utf-8', 'replace'))
                res[m.group(1)] = items
    return res


# ----------------------------------------------------------------- GNOME help
_MAL = '{http://projectmallard.org/1.0/}'
_SKIP = {'code', 'cmd', 'sys', 'input', 'output', 'screen', 'media', 'info',
         'credit', 'license', 'link', 'app', 'file', 'key', 'keyseq', 'var'}
_BLOCK = {'p', 'title', 'desc', 'td', 'th'}


def _text(el):
    tag = el.tag.replace(_MAL, '').split('}')[-1]
    if tag in _SKIP and tag not in ('link', 'app', 'key'):
        return el.tail or ''
    parts = [el.text or '']
    for ch in el:
        parts.append(_text(ch))
    return ''.join(parts) + (el.tail or '')


def page_paragraphs(path):
    try:
        tree = ET.parse(path)
    except (ET.ParseError, OSError):
        return []
    out = []
    for el in tree.iter():
        tag = el.tag.split('}')[-1] if isinstance(el.tag, str) else ''
        if tag in _BLOCK:
            inner = (el.text or '') + ''.join(_text(ch) for ch in el)
            if inner.strip():
                out.append(inner)
    return out


def gnome_items():
    res = collections.defaultdict(list)
    root = os.path.join(EVAL_EXT, 'gnome-user-docs', 'usr', 'share', 'help')
    if not os.path.isdir(root):
        return res
    for loc in sorted(os.listdir(root)):
        d = os.path.join(root, loc)
        for dp, _dns, fns in sorted(os.walk(d)):
            for fn in sorted(fns):
                if fn.endswith('.page'):
                    res[loc] += page_paragraphs(os.path.join(dp, fn))
    return res


# ----------------------------------------------------------------- common
def norm_key(s):
    return ' '.join(s.lower().split())


def load_training():
    codes = {}
    with open(os.path.join(DATA, 'languages.tsv'), encoding='utf-8') as f:
        for line in f:
            parts = line.rstrip('\n').split('\t')
            codes[parts[0]] = parts[1]
    seen = set()
    for name in ('train.tsv', 'heldout.tsv'):
        with open(os.path.join(DATA, name), encoding='utf-8') as f:
            for line in f:
                seen.add(norm_key(line.rstrip('\n').split('\t', 1)[1]))
    return codes, seen


def code_for(loc, items, codes):
    """Trained code for a locale, the script decided by its text."""
    if loc in ('C', 'en-US', 'en'):
        return 'en' if 'en' in codes else None
    base, hint = lang_map.from_locale(loc)
    if not base:
        return None
    if base == 'zh':
        return 'zh-' + hint if 'zh-' + hint in codes else None
    cands = [c for c in codes if c == base or c.startswith(base + '-')]
    if not cands:
        return None
    group = prepare.group_of(prepare.script_counts(' '.join(items[:2000])))
    if hint and base + '-' + hint in codes:
        return base + '-' + hint
    if group and base + '-' + group in codes:
        return base + '-' + group
    return base if base in codes else None


def select(code, lines, seen, english, short):
    group = None
    out, keys = [], set()
    counts = prepare.script_counts(' '.join(lines[:2000]))
    group = prepare.group_of(counts)
    if code.startswith('zh-'):
        group = 'Hani'
    elif '-' in code and len(code.split('-')[1]) == 4 and code.split('-')[1] not in ('Hans', 'Hant'):
        group = code.split('-')[1]
    base = code.split('-')[0]
    for raw in lines:
        cands = prepare.short_lines(raw) if short else prepare.split_snippets(raw)
        for s in cands:
            k = norm_key(s)
            if k in keys or k in seen:
                continue
            if short:
                if len(s) > SHORT_MAX or sum(ch.isalpha() for ch in s) < SHORT_MIN_LETTERS:
                    continue
                ok = prepare.good_line(s, group, base, short=True)
            else:
                ok = prepare.good_line(s, group, base)
            if not ok:
                continue
            if code != 'en' and (k in english or english_leftovers.is_english_leftover(s)):
                continue
            keys.add(k)
            out.append(s)
    out.sort(key=lambda s: prepare.stable_hash('eval:%s:%s' % (code, s)))
    return out[:MAX_PER_LANG]


def build(name, items_by_loc, english_loc, codes, seen, report):
    english = {norm_key(x) for raw in items_by_loc.get(english_loc, []) for x in
               prepare.short_lines(raw)}
    by_code = collections.defaultdict(list)
    skipped = []
    for loc in sorted(items_by_loc):
        items = items_by_loc[loc]
        code = code_for(loc, items, codes)
        if not code:
            skipped.append(loc)
            continue
        if loc == english_loc and code == 'en' and 'en' in by_code:
            continue
        by_code[code] += items
    for short in (False, True):
        fn = '%s%s.tsv' % (name, '.short' if short else '')
        total = 0
        per = {}
        with open(os.path.join(OUT, fn), 'w', encoding='utf-8') as f:
            for code in sorted(by_code):
                lines = select(code, by_code[code], seen, english, short)
                per[code] = len(lines)
                for s in lines:
                    f.write('%s\t%s\n' % (code, s))
                total += len(lines)
        report.append('%s: %d lines, %d languages' % (fn, total, sum(1 for v in per.values() if v)))
        report.append('  ' + ' '.join('%s=%d' % kv for kv in sorted(per.items())))
        prepare.log('%s: %d lines in %d languages' % (fn, total, sum(1 for v in per.values() if v)))
    report.append('  locales without a trained code: ' + (' '.join(skipped) or '-'))


def main():
    for f in ('languages.tsv', 'train.tsv', 'heldout.tsv'):
        if not os.path.isfile(os.path.join(DATA, f)):
            sys.exit('data/%s is missing: run prepare.py first' % f)
    os.makedirs(OUT, exist_ok=True)
    codes, seen = load_training()
    prepare.log('training text loaded: %d languages, %d distinct lines' % (len(codes), len(seen)))
    report = ['Evaluation sets (tools/corpus/make_eval.py). Never used for training;',
              'lines also present in data/train.tsv or data/heldout.tsv removed.', '']
    ff = firefox_items()
    prepare.log('Firefox: %d language packs' % len(ff))
    build('firefox', ff, 'en-GB', codes, seen, report)
    gn = gnome_items()
    prepare.log('GNOME help: %d locales' % len(gn))
    build('gnome-help', gn, 'C', codes, seen, report)
    with open(os.path.join(OUT, 'README.txt'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(report) + '\n')
    prepare.log('done')


if __name__ == '__main__':
    main()
