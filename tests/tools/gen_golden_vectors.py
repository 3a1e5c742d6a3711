#!/usr/bin/env python3
"""Generates tests/tools/golden_vectors.h: raw DEFLATE streams produced by
Python's zlib and ZIP/NPZ archives produced by Python's zipfile, used as
golden inputs by test_inflate.cpp, test_zip.cpp and test_npy.cpp.

The uncompressed inputs are regenerated in C++ by the tests (see
golden_inputs() in the tests) so only compressed bytes are embedded.
Run: python3 tests/tools/gen_golden_vectors.py > tests/tools/golden_vectors.h
"""
import io
import struct
import sys
import zipfile
import zlib


def lcg_bytes(seed, n, alphabet=None):
    x = seed
    out = bytearray()
    for _ in range(n):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        b = (x >> 16) & 0xFF
        out.append(alphabet[b % len(alphabet)] if alphabet else b)
    return bytes(out)


def lines_text():
    return b"".join(b"line %d: the quick brown fox jumps over the lazy dog\n" % i
                    for i in range(200))


D1 = lcg_bytes(1, 1000, b"abcdefgh")
D2 = lcg_bytes(2, 600)
D3 = lines_text()
BLOCK = lcg_bytes(3, 1000, b"abcdefghijklmnopqrstuvwxyz")
D4 = BLOCK + b"0123456789" * 3100 + BLOCK


def deflate(data, level=6, strategy=zlib.Z_DEFAULT_STRATEGY, chunks=None):
    c = zlib.compressobj(level, zlib.DEFLATED, -15, 9, strategy)
    if chunks is None:
        return c.compress(data) + c.flush()
    out = b""
    for piece, mode in chunks:
        out += c.compress(piece) + c.flush(mode)
    return out


def btype(stream):
    return (stream[0] >> 1) & 3


streams = {
    "kDeflateStoredD1": (deflate(D1, 0), 0),
    "kDeflateFixedD1": (deflate(D1, 6, zlib.Z_FIXED), 1),
    "kDeflateDynamicD3": (deflate(D3, 9), 2),
    "kDeflateHuffmanOnlyD1": (deflate(D1, 6, zlib.Z_HUFFMAN_ONLY), 2),
    "kDeflateRandomD2": (deflate(D2, 6), None),
    "kDeflateMultiD3": (deflate(b"", 6, chunks=[
        (D3[:1000], zlib.Z_SYNC_FLUSH), (D3[1000:5000], zlib.Z_FULL_FLUSH),
        (D3[5000:], zlib.Z_FINISH)]), None),
    "kDeflateFarD4": (deflate(D4, 9), 2),
    "kDeflateEmpty": (deflate(b"", 6), 1),
}
for name, (s, bt) in streams.items():
    if bt is not None:
        assert btype(s) == bt, (name, btype(s))
# Sanity: round trips with zlib itself.
assert zlib.decompress(streams["kDeflateFarD4"][0], -15) == D4
assert zlib.decompress(streams["kDeflateMultiD3"][0], -15) == D3


def npy(descr, shape, data, version=(1, 0)):
    """Builds .npy bytes per the format spec (NumPy-style padding)."""
    shape_s = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    d = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape_s)
    lenfield = 2 if version == (1, 0) else 4
    pre = 6 + 2 + lenfield
    total = (pre + len(d) + 1 + 63) // 64 * 64
    hdr = d + " " * (total - pre - len(d) - 1) + "\n"
    ln = struct.pack("<H", len(hdr)) if lenfield == 2 else struct.pack("<I", len(hdr))
    return b"\x93NUMPY" + bytes(version) + ln + hdr.encode("latin1") + data


def zinfo(name, method):
    zi = zipfile.ZipInfo(name, date_time=(2020, 1, 2, 3, 4, 6))
    zi.compress_type = method
    zi.external_attr = 0o644 << 16
    return zi


def make_zip(members, comment=b"", force_zip64=False):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data, method in members:
            if force_zip64:
                with zf.open(zinfo(name, method), "w", force_zip64=True) as f:
                    f.write(data)
            else:
                zf.writestr(zinfo(name, method), data)
        zf.comment = comment
    return buf.getvalue()


EMB = struct.pack("<6f", 0.5, -1.25, 3.0, 1e10, -0.0, 7.75)
IDS = bytes([0, 1, 127, 255])
SCALE = struct.pack("<d", 2.5)
NPZ_MEMBERS = [
    ("emb.npy", npy("<f4", (2, 3), EMB), zipfile.ZIP_DEFLATED),
    ("ids.npy", npy("|u1", (4,), IDS), zipfile.ZIP_STORED),
    ("scale.npy", npy("<f8", (), SCALE), zipfile.ZIP_DEFLATED),
]

zips = {
    "kZipMixed": make_zip([
        ("hello.txt", b"hello world\n", zipfile.ZIP_STORED),
        ("lines.txt", D3, zipfile.ZIP_DEFLATED),
        ("short.bin", b"abcabcabcabc", zipfile.ZIP_DEFLATED),
        ("empty.txt", b"", zipfile.ZIP_STORED),
        ("sub/", b"", zipfile.ZIP_STORED),
    ], comment=b"a zip comment"),
    "kZipLzma": make_zip([("x.npy", npy("<f4", (2,), struct.pack("<2f", 1, 2)),
                           zipfile.ZIP_LZMA)]),
    "kNpzCompressed": make_zip(NPZ_MEMBERS),
    "kNpzZip64Local": make_zip(NPZ_MEMBERS, force_zip64=True),
}
# Check the member compression types in kZipMixed really cover fixed and
# dynamic Huffman blocks.
with zipfile.ZipFile(io.BytesIO(zips["kZipMixed"])) as zf:
    raw = zips["kZipMixed"]
    for zi in zf.infolist():
        if zi.compress_type == zipfile.ZIP_DEFLATED:
            off = zi.header_offset
            n, e = struct.unpack("<HH", raw[off + 26:off + 30])
            first = raw[off + 30 + n + e]
            want = 2 if zi.filename == "lines.txt" else 1
            assert (first >> 1) & 3 == want, zi.filename


def emit(name, data, out):
    out.write("static const unsigned char %s[] = {" % name)
    for i, b in enumerate(data):
        if i % 16 == 0:
            out.write("\n    ")
        out.write("0x%02x," % b)
    if not data:
        out.write("0x00")
    out.write("\n};\nstatic const size_t %sSize = %d;\n\n" % (name, len(data)))


out = sys.stdout
out.write("// Generated by tests/tools/gen_golden_vectors.py (Python %s, zlib %s).\n"
          "// Do not edit by hand.\n#pragma once\n\n#include <cstddef>\n\n"
          % (sys.version.split()[0], zlib.ZLIB_VERSION))
for name, (s, _) in streams.items():
    emit(name, s, out)
for name, z in zips.items():
    emit(name, z, out)
# CRC-32 reference values from zlib.
out.write("static const unsigned kCrcD1 = 0x%08xu;\n" % zlib.crc32(D1))
out.write("static const unsigned kCrcD3 = 0x%08xu;\n" % zlib.crc32(D3))
