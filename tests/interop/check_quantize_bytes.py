#!/usr/bin/python3
"""(a) convert_model --rounding half-even writes exactly the bytes of
torch.quantize_per_channel(E, scales, zero points 128, axis 0, quint8).int_repr()
on a table built to be hard: exact ties of torch's float32 arithmetic, values
whose float32 product and exact quotient round apart, zeros, all-zero rows,
tiny rows, huge ranges, denormals, the float32 extremes.
"""
import os
import sys
import tempfile

import numpy as np
import torch

import ffnlp_capi as ffnlp

F32 = np.float32
COLS = 64


def build_table(rng):
    rows = []
    # Random rows over magnitudes from tiny to huge.
    for _ in range(700):
        magnitude = 10.0 ** rng.uniform(-36, 37)
        rows.append(rng.normal(0, 1, COLS) * magnitude)
    # Rows of exact ties in torch's arithmetic: e = (k + 0.5) * s in float32,
    # with its float32 neighbours (one ulp either side).
    for _ in range(500):
        m = F32(10.0 ** rng.uniform(-30, 30))
        s = F32(np.float64(m) / 127)
        k = rng.integers(-127, 127, COLS)
        row = (k.astype(np.float32) + F32(0.5)) * s
        shift = rng.integers(-2, 3, COLS)
        row = np.where(shift > 0, np.nextafter(row, F32(np.inf)), row)
        row = np.where(shift < 0, np.nextafter(row, F32(-np.inf)), row)
        row[0] = m if rng.random() < 0.5 else -m  # the row's largest magnitude fixes s
        rows.append(row)
    # Zeros sprinkled in, and all-zero rows.
    for _ in range(300):
        row = rng.normal(0, 1, COLS) * 10.0 ** rng.uniform(-5, 5)
        row[rng.random(COLS) < 0.4] = 0
        rows.append(row)
    for _ in range(40):
        rows.append(np.zeros(COLS))
    # Huge ranges inside a row: one large value squeezes tiny ones to the zero point.
    for _ in range(300):
        row = rng.normal(0, 1, COLS) * 10.0 ** rng.uniform(-20, 0)
        row[rng.integers(COLS)] = 10.0 ** rng.uniform(10, 38) * rng.choice([-1, 1])
        rows.append(row)
    # Tiny rows (down to where torch's float32 inverse scale still exists).
    for _ in range(150):
        rows.append(rng.normal(0, 1, COLS) * 10.0 ** rng.uniform(-36, -30))
    # Denormal values in ordinary rows; the float32 extremes.
    for _ in range(60):
        row = rng.normal(0, 1, COLS)
        row[rng.random(COLS) < 0.3] = rng.normal(0, 1) * 1e-40
        rows.append(row)
    # Near the float32 maximum (at FLT_MAX itself 127 * float32(max / 127)
    # overflows, and convert_model refuses the row).
    big = 3.0e38
    rows.append(np.array([big, -big] + [big / 3] * (COLS - 2)))
    rows.append(np.array([np.finfo(np.float32).tiny * 1e8] * COLS))
    table = np.array(rows, dtype=np.float64)
    with np.errstate(over="ignore"):
        return table.astype(np.float32)


def torch_bytes(table, scales, zero_point=128):
    # torch.quantize_per_channel divides by nothing: it multiplies by
    # 1.0f / scale. A scale of 0 (all-zero rows, ours) gives inf * 0 there,
    # so those rows get scale 1.0, whose bytes are the zero point all the same.
    s = np.where(scales == 0, 1.0, scales).astype(np.float64)
    zp = torch.full((table.shape[0],), zero_point, dtype=torch.long)
    qt = torch.quantize_per_channel(torch.from_numpy(table), torch.from_numpy(s), zp, 0, torch.quint8)
    return qt.int_repr().numpy()


def ours_half_even(table, zero_point=128):
    """convert_model --rounding half-even, read back through inspect_model."""
    with tempfile.TemporaryDirectory() as tmp:
        np.save(os.path.join(tmp, "table.npy"), table)
        ffm = os.path.join(tmp, "table.ffm")
        ffnlp.convert_model([os.path.join(tmp, "table.npy"), "-o", ffm, "--rounding", "half-even",
                             "--zero-point", str(zero_point), "--quiet"])
        ours = ffnlp.dump_tensor(ffm, "table")
    assert ours["dtype"] == "q8_row", ours["dtype"]
    return ours


def main():
    rng = np.random.default_rng(20261201)
    table = build_table(rng)
    ours = ours_half_even(table)
    # Our scales are PyTorch's emb.abs().amax(dim=1) / 127 in float32.
    torch_scales = (torch.from_numpy(table).abs().amax(dim=1) / 127).numpy()
    scales_equal = np.array_equal(ours["scales"], torch_scales)
    expected = torch_bytes(table, ours["scales"])
    same = ours["q"] == expected

    # What the table holds, in torch's own arithmetic.
    s = np.where(ours["scales"] == 0, F32(1), ours["scales"])
    with np.errstate(over="ignore", invalid="ignore"):
        product = table * (F32(1) / s)[:, None]
        exact = table.astype(np.float64) / s.astype(np.float64)[:, None]
    ties = int(np.sum(product - np.floor(product) == 0.5))
    # Where rounding the exact quotient (what --rounding half-even did before)
    # gives another byte than rounding torch's float32 product.
    apart = int(np.sum(np.rint(product.astype(np.float64)) != np.rint(exact)))
    zeros = int(np.sum(table == 0))
    zero_rows = int(np.sum(np.all(table == 0, axis=1)))

    print("(a) half-even bytes against torch.quantize_per_channel(quint8, zero point 128).int_repr()")
    print("    values %d (%d rows x %d); exact ties in torch's float32 product %d; values whose exact quotient"
          " e / s rounds to another byte %d; zeros %d; all-zero rows %d" % (table.size, table.shape[0], COLS, ties, apart,
                                                                      zeros, zero_rows))
    print("    scales identical to torch's abs().amax(dim=1) / 127: %s" % scales_equal)
    print("    bytes identical: %d of %d" % (int(same.sum()), same.size))
    ok = scales_equal and bool(same.all()) and table.size >= 100000 and ties > 1000 and apart > 0

    if not same.all():
        bad = np.argwhere(~same)[:5]
        for r, c in bad:
            print("    MISMATCH row %d col %d value %r scale %r ours %d torch %d" % (
                r, c, float(table[r, c]), float(ours["scales"][r]), ours["q"][r, c], expected[r, c]))

    # Another zero point (convert_model --zero-point 100: 99 steps below, 155
    # above), the same table: the bytes torch writes with our scales.
    ours100 = ours_half_even(table, 100)
    same100 = ours100["q"] == torch_bytes(table, ours100["scales"], 100)
    print("    zero point 100: bytes identical: %d of %d" % (int(same100.sum()), same100.size))
    ok = ok and bool(same100.all())

    # Rows below torch's float32 inverse scale: documented, not compared.
    tiny = np.array([[1e-38, -1e-38, 0, 5e-39]], dtype=np.float32)
    tiny_ours = ours_half_even(tiny)
    print("    (not compared) a row of largest magnitude 1e-38: 1.0f / scale overflows; torch gives %s,"
          " we give %s" % (torch_bytes(tiny, tiny_ours["scales"])[0].tolist(), tiny_ours["q"][0].tolist()))
    print("    %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
