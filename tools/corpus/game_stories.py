"""Readers of the `game-stories` family: the story, dialogue and level texts
of translated games (not their menus), for the languages of
everyday.EVERYDAY_LANGS (issue 9: close neighbours confused on
non-software text).

* widelands-data: the campaign and tutorial scenarios
  (`scenario_*.wmf.mo`), tribe encyclopedia, `texts.mo`; not the UI
  (`widelands*.mo`) nor map/world names.
* supertux-data: the level texts (`levels/<world>/<loc>.po`: level names,
  signs, story messages such as "You have found a secret area!").

Checked and not used: hedgewars-data (its mission-dialogue tables are
>95 % untranslated in these languages), warzone2100-data (campaign text
and UI share one catalogue).
"""
import os
import re

from everyday import EVERYDAY_LANGS, lang_of

WIDELANDS_LOCALE = 'widelands-data/usr/share/games/widelands/data/locale'
WIDELANDS_STORY = re.compile(r'^(scenario_.*|mp_scenario_.*|texts|tribes_encyclopedia'
                             r'|training_wheels)\.mo$')
SUPERTUX_LEVELS = 'supertux-data/usr/share/games/supertux2/levels'

_PO_ENTRY = re.compile(r'^msgstr(?:\[0\])?[ \t]+((?:"(?:[^"\\\n]|\\.)*"[ \t]*\n?)+)', re.M)
_PO_PIECE = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def _unescape(s):
    return re.sub(r'\\(.)', lambda m: {'n': '\n', 't': ' '}.get(m.group(1), m.group(1)), s)


def po_strings(path):
    """Translations of a gettext .po file (header entry skipped)."""
    with open(path, encoding='utf-8', errors='replace') as f:
        text = f.read()
    out = []
    for m in _PO_ENTRY.finditer(text):
        s = _unescape(''.join(_PO_PIECE.findall(m.group(1))))
        if s and not s.startswith('Project-Id-Version'):
            out.append(s)
    return out


def supertux_texts(path):
    """SuperTux level strings as paragraphs: its info-text markup (lines
    starting with `-` title, `#` text, `!` image, `*` heading) removed."""
    pars = []
    for s in po_strings(path):
        for line in s.split('\n'):
            if line.startswith('!'):
                continue                    # image path
            line = re.sub(r'^[-#*\t ]+', '', line).strip()
            if line:
                pars.append(line)
    return pars


def documents(ext, mo_loader):
    """(source, locale, relative path, loader) of every game-story document
    below `ext`; `mo_loader` reads a gettext .mo file into paragraphs."""
    docs = []
    wl = os.path.join(ext, WIDELANDS_LOCALE)
    for loc in sorted(os.listdir(wl)) if os.path.isdir(wl) else []:
        if lang_of(loc) not in EVERYDAY_LANGS:
            continue
        d = os.path.join(wl, loc, 'LC_MESSAGES')
        for fn in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            if WIDELANDS_STORY.match(fn):
                docs.append(('widelands', loc, '%s/%s/LC_MESSAGES/%s' % (WIDELANDS_LOCALE, loc, fn),
                             mo_loader))
    st = os.path.join(ext, SUPERTUX_LEVELS)
    for world in sorted(os.listdir(st)) if os.path.isdir(st) else []:
        wd = os.path.join(st, world)
        for fn in sorted(os.listdir(wd)) if os.path.isdir(wd) else []:
            loc = fn[:-3]
            if fn.endswith('.po') and lang_of(loc) in EVERYDAY_LANGS:
                docs.append(('supertux', loc, '%s/%s/%s' % (SUPERTUX_LEVELS, world, fn),
                             supertux_texts))
    return docs
