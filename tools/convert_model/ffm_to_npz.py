#!/usr/bin/env python3
"""Export the tensors of an .ffm model file as an .npz archive that
convert_model imports without requantizing, so a model can be converted
again with the current converter (e.g. to take up a new layout of its dense
layers) from its own bytes: same quantized values, same scales.

usage: ffm_to_npz.py MODEL.ffm OUT.npz
       convert_model OUT.npz --spec MODEL.spec -o NEW.ffm

Per tensor (docs/FORMAT.md): f32 as float32 (rank kept); q8_row as NAME
(uint8) + NAME_scales (float32) + NAME_zero_points (one int64); q8_row_fzp
as NAME + NAME_scales + NAME_zero_points (float32 per row); q8_col
(transposed dense weights) back to q8_row's (out, in) with its per-output
scales; q4_row (4-bit tables) as its dequantized float32 values, which a
spec with `bits = 4` quantizes back to the same 4-bit values (the scale
to within its last bit); q4_row_bf16 the same way, which `bits = 4` with
`scales = bf16` quantizes back to the same bytes (the largest value of a
row is 7 bfloat16 scales exactly, so the scale comes back as it was);
q3_row_bf16 (3-bit tables) the same way, which `bits = 3` with
`scales = bf16` quantizes back to the same bytes (3 scales exactly).
Only tensors are exported: the spec gives the metadata again, the
[neighbours] and [lexicon] words files included (the lexicon is metadata
only, lexicon.*; the neighbour scores' tensor is left out below, and the
words' keys, 32- or 24-bit as the spec's key_bits says, are metadata).
Standard library only (no numpy).
"""
import io
import struct
import sys
import zipfile

DTYPES = {1: 'f32', 2: 'q8_row', 3: 'q8_row_fzp', 4: 'q8_col', 5: 'q4_row', 6: 'q4_row_bf16', 7: 'q3_row_bf16'}
# The neighbour words' scores: written by the converter from the spec's
# [neighbours] words file, never read from the arrays (it refuses an array
# of this name), so left out here.
NEIGHBOUR_SCORES = 'neighbour_scores'


def npy(descr, shape, payload):
    """One .npy file (format version 1.0) holding `payload` as given."""
    shape_text = '(' + ', '.join(str(d) for d in shape) + (',)' if len(shape) == 1 else ')')
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape_text)
    total = 10 + len(header) + 1
    header += ' ' * ((64 - total % 64) % 64) + '\n'
    return b'\x93NUMPY\x01\x00' + struct.pack('<H', len(header)) + header.encode('latin1') + payload


def row_scales(rows, scales, bf16):
    """The rows' scales as floats: f32, or bfloat16 (a float32's upper 16
    bits, so the float is the 16 bits shifted up: exact)."""
    if bf16:
        return [struct.unpack('<f', struct.pack('<I', h << 16))[0] for h in struct.unpack_from('<%dH' % rows, scales)]
    return list(struct.unpack_from('<%df' % rows, scales))


def packed_values(rows, cols, zero_point, data, scales, bits, bf16=False):
    """A packed table's values as float32 bytes: (value - zero point) *
    scale. bits 4: q4_row (or q4_row_bf16), two values a byte, the even
    column in the low nibble; bits 3: q3_row_bf16, a little-endian bit
    stream per row, column c in bits 3c .. 3c+2."""
    row_bytes = (cols * bits + 7) // 8
    out = []
    for r, scale in enumerate(row_scales(rows, scales, bf16)):
        row = int.from_bytes(data[r * row_bytes:(r + 1) * row_bytes], 'little')
        for c in range(cols):
            value = (row >> (bits * c)) & ((1 << bits) - 1)
            # float32 product, as the runtime computes it
            out.append(struct.unpack('<f', struct.pack('<f', (value - zero_point) * scale))[0])
    return struct.pack('<%df' % len(out), *out)


def read_tensors(blob):
    if blob[:4] != b'FFNM':
        raise SystemExit('not an .ffm file')
    table, = struct.unpack_from('<Q', blob, 24)
    count, = struct.unpack_from('<I', blob, 32)
    for k in range(count):
        e = table + 128 * k
        name = blob[e:e + 64].split(b'\0', 1)[0].decode('utf-8')
        dtype, rank, zero_point = struct.unpack_from('<III', blob, e + 64)
        rows, cols, data_off, data_size, scales_off, scales_size = struct.unpack_from('<QQQQQQ', blob, e + 80)
        yield (name, DTYPES.get(dtype), rank, zero_point, rows, cols, blob[data_off:data_off + data_size],
               blob[scales_off:scales_off + scales_size])


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    blob = open(sys.argv[1], 'rb').read()
    files = {}
    for name, dtype, rank, zero_point, rows, cols, data, scales in read_tensors(blob):
        if name == NEIGHBOUR_SCORES:
            continue  # the converter makes it again from the spec's words file
        if dtype == 'f32':
            files[name] = npy('<f4', (rows,) if rank == 1 else (rows, cols), data)
        elif dtype in ('q8_row', 'q8_col'):
            if dtype == 'q8_col':  # (in, out) -> (out, in)
                data = bytes(data[i * cols + o] for o in range(cols) for i in range(rows))
                rows, cols = cols, rows
            files[name] = npy('|u1', (rows, cols), data)
            files[name + '_scales'] = npy('<f4', (rows,), scales)
            files[name + '_zero_points'] = npy('<i8', (1,), struct.pack('<q', zero_point))
        elif dtype in ('q4_row', 'q4_row_bf16', 'q3_row_bf16'):
            bits = 3 if dtype == 'q3_row_bf16' else 4
            values = packed_values(rows, cols, zero_point, data, scales, bits, dtype != 'q4_row')
            files[name] = npy('<f4', (rows, cols), values)
        elif dtype == 'q8_row_fzp':
            files[name] = npy('|u1', (rows, cols), data)
            files[name + '_scales'] = npy('<f4', (rows,), scales[:4 * rows])
            files[name + '_zero_points'] = npy('<f4', (rows,), scales[4 * rows:])
        else:
            raise SystemExit(f'tensor {name}: unknown dtype')
    with zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_STORED) as z:
        for name, payload in files.items():
            z.writestr(name + '.npy', payload)
    print(f'{sys.argv[2]}: {len(files)} arrays')


if __name__ == '__main__':
    main()
