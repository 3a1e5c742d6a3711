"""Readers for the binary text containers of the newer sources (stdlib only).

    read_qm(path)          Qt .qm translation file -> [(source, translation)]
    read_ztext(module_dir) SWORD zText Bible module -> [(book_block, [verse])]
    read_stamp(path)       Tux Paint stamp description -> {locale: text}
"""
import os
import re
import struct
import zlib

# ----------------------------------------------------------------- Qt .qm
_QM_MAGIC = bytes([0x3C, 0xB8, 0x64, 0x18, 0xCA, 0xEF, 0x9C, 0x95,
                   0xCD, 0x21, 0x1C, 0xBF, 0x60, 0xA1, 0xBD, 0xDD])
_QM_MESSAGES = 0x69
# Message record tags (Qt's translator.cpp)
_T_END, _T_SOURCE16, _T_TRANSLATION, _T_CONTEXT16 = 1, 2, 3, 4
_T_OBSOLETE1, _T_SOURCE, _T_CONTEXT, _T_COMMENT, _T_OBSOLETE2 = 5, 6, 7, 8, 9


def read_qm(path):
    """Translations of a .qm file as (source text or '', translation) pairs.

    Only the first translation of a message is returned (plural forms after
    it are skipped).  A file that is not a .qm file gives []."""
    with open(path, 'rb') as f:
        data = f.read()
    if not data.startswith(_QM_MAGIC):
        return []
    pos, n = len(_QM_MAGIC), len(data)
    messages = None
    while pos + 5 <= n:
        tag = data[pos]
        (length,) = struct.unpack('>I', data[pos + 1:pos + 5])
        pos += 5
        if tag == _QM_MESSAGES:
            messages = data[pos:pos + length]
        pos += length
    if messages is None:
        return []
    out = []
    pos, n = 0, len(messages)
    source, translation = '', None
    while pos < n:
        tag = messages[pos]
        pos += 1
        if tag == _T_END:
            if translation:
                out.append((source, translation))
            source, translation = '', None
            continue
        if tag in (_T_OBSOLETE1,):
            pos += 4
            continue
        if tag == _T_OBSOLETE2:
            continue
        if pos + 4 > n:
            break
        (length,) = struct.unpack('>I', messages[pos:pos + 4])
        pos += 4
        if length == 0xFFFFFFFF:
            continue
        chunk = messages[pos:pos + length]
        pos += length
        if tag == _T_TRANSLATION:
            if translation is None:
                translation = chunk.decode('utf-16-be', errors='replace')
        elif tag == _T_SOURCE:
            source = chunk.decode('utf-8', errors='replace')
        elif tag == _T_SOURCE16:
            source = chunk.decode('utf-16-be', errors='replace')
        # context, comment: not needed
    return out


# ----------------------------------------------------------------- SWORD zText
_OSIS_NOTE = re.compile(r'<note\b.*?</note>|<rdg\b.*?</rdg>', re.S)
_TAG = re.compile(r'<[^<>]*>')
_SPACE_PUNCT = re.compile(r' +([,.;:!?])')   # left where word tags were removed


def read_ztext(module_dir):
    """A SWORD zText module (ot.bzs/.bzv/.bzz, nt.*) -> [(block id, [verses])].

    A block is the compression unit of the module (a book for BlockType=BOOK
    modules): it is the document used for the held-out split.  Markup (OSIS,
    GBF, ThML) and footnotes are removed."""
    out = []
    for testament in ('ot', 'nt'):
        bzs = os.path.join(module_dir, testament + '.bzs')
        bzv = os.path.join(module_dir, testament + '.bzv')
        bzz = os.path.join(module_dir, testament + '.bzz')
        if not (os.path.isfile(bzs) and os.path.isfile(bzv) and os.path.isfile(bzz)):
            continue
        with open(bzs, 'rb') as f:
            sidx = f.read()
        with open(bzv, 'rb') as f:
            vidx = f.read()
        with open(bzz, 'rb') as f:
            comp = f.read()
        blocks = {}
        for i in range(len(sidx) // 12):
            off, size, _usize = struct.unpack('<3I', sidx[12 * i:12 * i + 12])
            if size:
                try:
                    blocks[i] = zlib.decompress(comp[off:off + size])
                except zlib.error:
                    continue
        verses = {}
        for i in range(len(vidx) // 10):
            blk, start, size = struct.unpack('<IIH', vidx[10 * i:10 * i + 10])
            if size == 0 or blk not in blocks:
                continue
            raw = blocks[blk][start:start + size]
            text = raw.decode('utf-8', errors='replace')
            text = _TAG.sub(' ', _OSIS_NOTE.sub(' ', text))
            text = _SPACE_PUNCT.sub(r'\1', ' '.join(text.split()))
            if text:
                verses.setdefault(blk, []).append(text)
        for blk in sorted(verses):
            out.append(('%s%03d' % (testament, blk), verses[blk]))
    return out


# ----------------------------------------------------------------- Tux Paint
def read_stamp(path):
    """Tux Paint stamp description file -> {locale: description}.

    Line 1 is the English text; then `locale.utf8=text` lines."""
    res = {}
    try:
        with open(path, encoding='utf-8') as f:
            lines = f.read().split('\n')
    except (UnicodeDecodeError, OSError):
        return res
    if lines and lines[0].strip() and '=' not in lines[0]:
        res['en'] = lines[0].strip()
    for line in lines[1:]:
        m = re.match(r'([A-Za-z@_]+)\.utf8=(.*)$', line.strip())
        if m and m.group(2).strip():
            res[m.group(1)] = m.group(2).strip().rstrip('|').strip()
    return res
