#!/usr/bin/env python3
"""Generates runtime/src/features/unicode_tables.cpp (character class, script and simple
lowercase tables used by runtime/src/features/unicode.h).

    python3 tools/text_tables/gen_text_tables.py > runtime/src/features/unicode_tables.cpp

Sources: Python's `unicodedata` (general categories, lowercase mappings) and
Perl's core Unicode::UCD (Script property; Python has no script data). Both must
report the same Unicode version (the checked-in table: Unicode 14.0.0).

The tables are part of the model format (feature ids depend on them): any
change to this script or to the Unicode version changes features, so models
must be retrained and the golden tests updated.

Policy (see runtime/src/features/unicode.h):
  * class: L* and M* -> letter; Nd -> digit; everything else -> separator,
    with the overrides in SEPARATOR_OVERRIDES / LETTER_OVERRIDES below.
  * script (letters only; digits and separators are Common): the Unicode
    Script property if it is one of the enum's scripts; Common/Inherited
    letters and marks inside a block of a listed script (e.g. Arabic harakat,
    the Katakana prolonged sound mark U+30FC, kana voicing marks) get that
    block's script, other Common/Inherited ones (U+0300-036F combining
    diacritics, ...) get Common; letters of unlisted scripts get Other.
  * lowercase: the simple lowercase mapping of str.lower() (single code
    point results), plus U+0130 -> U+0069 (no Turkish special casing) and
    final sigma U+03C2 -> U+03C3 so that sigma forms agree.
"""
import subprocess
import sys
import unicodedata

SCRIPTS = [  # enum order of ffnlp::Script; index = id
    "Common", "Latin", "Greek", "Cyrillic", "Armenian", "Hebrew", "Arabic",
    "Syriac", "Thaana", "Devanagari", "Bengali", "Gurmukhi", "Gujarati",
    "Oriya", "Tamil", "Telugu", "Kannada", "Malayalam", "Sinhala", "Thai",
    "Lao", "Tibetan", "Myanmar", "Georgian", "Hangul", "Ethiopic", "Cherokee",
    "Canadian_Aboriginal", "Ogham", "Runic", "Khmer", "Mongolian", "Hiragana",
    "Katakana", "Han", "Yi", "Tifinagh", "Nko", "Vai", "Bopomofo", "Ol_Chiki",
    "Other",
]
SID = {name: i for i, name in enumerate(SCRIPTS)}

# Blocks of the listed scripts, used for Common/Inherited letters and marks.
BLOCKS = {
    "Latin": [(0x0000, 0x024F), (0x0250, 0x02AF), (0x1E00, 0x1EFF), (0x2C60, 0x2C7F),
              (0xA720, 0xA7FF), (0xAB30, 0xAB6F), (0xFF21, 0xFF5A)],
    "Greek": [(0x0370, 0x03FF), (0x1F00, 0x1FFF)],
    "Cyrillic": [(0x0400, 0x052F), (0x1C80, 0x1C8F), (0x2DE0, 0x2DFF), (0xA640, 0xA69F)],
    "Armenian": [(0x0530, 0x058F)],
    "Hebrew": [(0x0590, 0x05FF)],
    "Arabic": [(0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF),
               (0xFE70, 0xFEFF)],
    "Syriac": [(0x0700, 0x074F)],
    "Thaana": [(0x0780, 0x07BF)],
    "Nko": [(0x07C0, 0x07FF)],
    "Devanagari": [(0x0900, 0x097F), (0xA8E0, 0xA8FF)],
    "Bengali": [(0x0980, 0x09FF)],
    "Gurmukhi": [(0x0A00, 0x0A7F)],
    "Gujarati": [(0x0A80, 0x0AFF)],
    "Oriya": [(0x0B00, 0x0B7F)],
    "Tamil": [(0x0B80, 0x0BFF)],
    "Telugu": [(0x0C00, 0x0C7F)],
    "Kannada": [(0x0C80, 0x0CFF)],
    "Malayalam": [(0x0D00, 0x0D7F)],
    "Sinhala": [(0x0D80, 0x0DFF)],
    "Thai": [(0x0E00, 0x0E7F)],
    "Lao": [(0x0E80, 0x0EFF)],
    "Tibetan": [(0x0F00, 0x0FFF)],
    "Myanmar": [(0x1000, 0x109F)],
    "Georgian": [(0x10A0, 0x10FF), (0x1C90, 0x1CBF), (0x2D00, 0x2D2F)],
    "Hangul": [(0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7AF)],
    "Ethiopic": [(0x1200, 0x139F), (0x2D80, 0x2DDF)],
    "Cherokee": [(0x13A0, 0x13FF), (0xAB70, 0xABBF)],
    "Canadian_Aboriginal": [(0x1400, 0x167F), (0x18B0, 0x18FF)],
    "Ogham": [(0x1680, 0x169F)],
    "Runic": [(0x16A0, 0x16FF)],
    "Khmer": [(0x1780, 0x17FF), (0x19E0, 0x19FF)],
    "Mongolian": [(0x1800, 0x18AF)],
    "Ol_Chiki": [(0x1C50, 0x1C7F)],
    "Hiragana": [(0x3040, 0x309F)],
    "Katakana": [(0x30A0, 0x30FF), (0x31F0, 0x31FF), (0xFF66, 0xFF9F)],
    "Han": [(0x2E80, 0x2FDF), (0x3005, 0x3005), (0x3007, 0x3007), (0x3400, 0x4DBF),
            (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3FFFF)],
    "Tifinagh": [(0x2D30, 0x2D7F)],
    "Bopomofo": [(0x3100, 0x312F), (0x31A0, 0x31BF)],
    "Yi": [(0xA000, 0xA4CF)],
    "Vai": [(0xA500, 0xA63F)],
}

# Ranges that are separators whatever their general category (Latin-1
# symbols incl. ª µ º and the soft hyphen; letterlike symbols, arrows, math,
# box drawing, dingbats incl. the few L*/M* in 2070-2BFF such as ⁿ K Å;
# emoji and pictographs).
SEPARATOR_OVERRIDES = [(0x00A0, 0x00BF), (0x2070, 0x2BFF), (0x1F000, 0x1FAFF)]
# Letters whatever their category (assigned code points only): U+3007
# IDEOGRAPHIC NUMBER ZERO (Nl); CJK radicals supplement and Kangxi radicals
# (So; they stand for the ideographs, e.g. in text extracted from PDFs).
# U+200C/U+200D (zero-width non-joiner/joiner) sit inside Persian, Kurdish
# and Indic words, so they must not split them.
LETTER_OVERRIDES = [(0x3007, 0x3007), (0x2E80, 0x2FDF), (0x200C, 0x200D)]

TABLE_LIMIT = 0x40000  # code points >= this are handled in code
BLOCK_BITS = 7
LETTER, DIGIT, SEPARATOR = 0, 1, 2


def perl_scripts():
    out = subprocess.run(
        ["perl", "-MUnicode::UCD", "-e",
         'print Unicode::UCD::UnicodeVersion(), "\\n"; '
         'my ($l,$m)=Unicode::UCD::prop_invmap("Script"); '
         'for my $i (0..$#$l) { print "$l->[$i] $m->[$i]\\n" }'],
        check=True, capture_output=True, text=True).stdout.split("\n")
    version = out[0].strip()
    starts = []
    for line in out[1:]:
        if line.strip():
            a, b = line.split()
            starts.append((int(a), b))
    script = [None] * 0x110000
    for i, (a, name) in enumerate(starts):
        b = starts[i + 1][0] if i + 1 < len(starts) else 0x110000
        for cp in range(a, min(b, 0x110000)):
            script[cp] = name
    return version, script


def in_ranges(cp, ranges):
    return any(a <= cp <= b for a, b in ranges)


def char_class(cp):
    if in_ranges(cp, LETTER_OVERRIDES) and unicodedata.category(chr(cp)) != "Cn":
        return LETTER
    if in_ranges(cp, SEPARATOR_OVERRIDES):
        return SEPARATOR
    cat = unicodedata.category(chr(cp))
    if cat[0] in "LM":
        return LETTER
    if cat == "Nd":
        return DIGIT
    return SEPARATOR


def lower_of(cp):
    if cp == 0x0130:
        return 0x0069
    if cp == 0x03C2:
        return 0x03C3
    low = chr(cp).lower()
    return ord(low) if len(low) == 1 else cp


def main():
    version, uscript = perl_scripts()
    if version != unicodedata.unidata_version:
        sys.exit(f"Unicode version mismatch: perl {version}, python {unicodedata.unidata_version}")
    block_of = {}
    for name, ranges in BLOCKS.items():
        for a, b in ranges:
            for cp in range(a, b + 1):
                block_of[cp] = name

    def script_id(cp, cls):
        if cls != LETTER:
            return SID["Common"]
        us = uscript[cp]
        if us in SID and us not in ("Common", "Other"):
            return SID[us]
        if us in ("Common", "Inherited", "Unknown"):
            return SID[block_of[cp]] if cp in block_of else SID["Common"]
        return SID["Other"]

    # Everything >= TABLE_LIMIT is handled in code: check the assumption.
    for cp in range(TABLE_LIMIT, 0x110000):
        cls = char_class(cp)
        want = LETTER if 0xE0100 <= cp <= 0xE01EF else SEPARATOR
        assert cls == want and script_id(cp, cls) == 0 and lower_of(cp) == cp, hex(cp)

    deltas = [0]
    entries = []
    for cp in range(TABLE_LIMIT):
        cls = char_class(cp)
        d = lower_of(cp) - cp
        if d not in deltas:
            deltas.append(d)
        entries.append(cls | (script_id(cp, cls) << 2) | (deltas.index(d) << 8))
    assert len(deltas) <= 256

    bsize = 1 << BLOCK_BITS
    blocks, index, seen = [], [], {}
    for i in range(0, TABLE_LIMIT, bsize):
        blk = tuple(entries[i:i + bsize])
        if blk not in seen:
            seen[blk] = len(blocks)
            blocks.append(blk)
        index.append(seen[blk])
    assert index[0] == 0  # ASCII lives at offset 0 (fast path relies on it)

    w = sys.stdout.write
    w("// GENERATED by tools/text_tables/gen_text_tables.py from Unicode %s -- do not edit.\n" % version)
    w("// Part of the model format: regenerating may change feature ids.\n")
    w("// Entry: bits 0-1 CharClass, bits 2-7 Script, bits 8-15 index into kLowerDelta.\n")
    w('#include "features/unicode.h"\n\nnamespace ffnlp {\nnamespace detail {\n\n')
    w("static_assert(kCharTableLimit == 0x%X && kCharBlockBits == %d, \"regenerate tables\");\n\n"
      % (TABLE_LIMIT, BLOCK_BITS))
    w("const int32_t kLowerDelta[256] = {\n")
    for i in range(0, len(deltas), 8):
        w("    " + " ".join("%d," % d for d in deltas[i:i + 8]) + "\n")
    w("};\n\n")
    w("const uint16_t kCharBlockIndex[%d] = {\n" % len(index))
    for i in range(0, len(index), 16):
        w("    " + " ".join("%d," % v for v in index[i:i + 16]) + "\n")
    w("};\n\n")
    w("const uint16_t kCharBlocks[%d] = {\n" % (len(blocks) * bsize))
    for blk in blocks:
        for i in range(0, bsize, 16):
            w("    " + " ".join("0x%X," % v for v in blk[i:i + 16]) + "\n")
    w("};\n\n}  // namespace detail\n}  // namespace ffnlp\n")
    sys.stderr.write("deltas=%d blocks=%d (%d bytes)\n" % (len(deltas), len(blocks),
                                                           len(blocks) * bsize * 2 + len(index) * 2))


if __name__ == "__main__":
    main()
