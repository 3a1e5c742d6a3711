#!/usr/bin/python3
"""(b) Tables quantized by torch, saved with int_repr() and their per-channel
scales and zero points, imported by convert_model without requantizing: the
runtime's values (inspect_model --dump) are torch's dequantize(), bit for bit.

  - a quantized nn.Embedding and nn.EmbeddingBag (per_channel_affine_float_qparams)
  - qint8 per-channel affine (a zero point per row) and per_channel_symmetric
  - quint8 with zero point 128 (our own layout)
and the refusals: a float-qparams table or a qint8 table without its zero points.
"""
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import torch
from torch.ao.quantization import convert, float_qparams_weight_only_qconfig, prepare

import ffnlp_capi as ffnlp


_KEEP_ALIVE = []


def quantized_module(module):
    m = torch.nn.Sequential(module)
    m[0].qconfig = float_qparams_weight_only_qconfig
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prepare(m, inplace=True)
        convert(m, inplace=True)
    # weight() reads the module's packed parameters: keep the module alive.
    _KEEP_ALIVE.append(m)
    return m[0].weight()


def per_channel(x, dtype, qscheme):
    obs = torch.ao.quantization.PerChannelMinMaxObserver(ch_axis=0, dtype=dtype, qscheme=qscheme)
    obs(x)
    scales, zero_points = obs.calculate_qparams()
    # float32 scales, as our format stores them (see docs/PYTORCH.md)
    return torch.quantize_per_channel(x, scales.float().double(), zero_points, 0, dtype)


def tables():
    torch.manual_seed(3)
    emb = torch.nn.Embedding(3000, 48)
    with torch.no_grad():  # rows of very different ranges
        emb.weight.mul_(torch.logspace(-6, 3, 3000).unsqueeze(1))
        emb.weight[5].zero_()
    bag = torch.nn.EmbeddingBag(500, 32, mode="sum")
    x = torch.randn(800, 40) * torch.logspace(-3, 2, 800).unsqueeze(1)
    scales128 = (x.abs().amax(dim=1) / 127).double()
    return {
        "embedding": quantized_module(emb),
        "embedding_bag": quantized_module(bag),
        "qint8_affine": per_channel(x, torch.qint8, torch.per_channel_affine),
        "qint8_symmetric": per_channel(x, torch.qint8, torch.per_channel_symmetric),
        "quint8_128": torch.quantize_per_channel(x, scales128, torch.full((800,), 128, dtype=torch.long), 0,
                                                 torch.quint8),
    }


def save(path, named, with_zero_points=True):
    arrays = {}
    for name, qt in named.items():
        arrays[name] = qt.int_repr().numpy()
        arrays[name + "_scales"] = qt.q_per_channel_scales().numpy()
        if with_zero_points:
            arrays[name + "_zero_points"] = qt.q_per_channel_zero_points().numpy()
    np.savez(path, **arrays)


def main():
    named = tables()
    ok = True
    print("(b) torch's quantized tables imported by convert_model, values against dequantize()")
    with tempfile.TemporaryDirectory() as tmp:
        npz = os.path.join(tmp, "tables.npz")
        ffm = os.path.join(tmp, "tables.ffm")
        save(npz, named)
        _, err = ffnlp.convert_model([npz, "-o", ffm, "--quiet"])
        if err.strip():
            print("    unexpected warnings: %s" % err.strip())
            ok = False
        for name, qt in named.items():
            ours = ffnlp.dump_tensor(ffm, name)
            theirs = qt.dequantize().numpy()
            same = ours["values"].view(np.uint32) == theirs.view(np.uint32)
            zp = qt.q_per_channel_zero_points()
            kind = "%s %s, zero points %s" % (str(qt.dtype).replace("torch.", ""),
                                              str(qt.qscheme()).replace("torch.", ""),
                                              "float" if zp.is_floating_point() else
                                              "all %d" % zp[0] if bool((zp == zp[0]).all()) else "per row")
            print("    %-16s %-58s -> %-10s values bit-identical: %d of %d" % (name, kind, ours["dtype"],
                                                                                int(same.sum()), same.size))
            ok = ok and bool(same.all())

        # The refusals, with the message convert_model prints.
        for name in ("embedding", "qint8_symmetric"):
            bad = os.path.join(tmp, "bad.npz")
            save(bad, {name: named[name]}, with_zero_points=False)
            p = subprocess.run([os.path.join(ffnlp.BUILD, "convert_model"), bad, "-o", os.path.join(tmp, "bad.ffm")],
                               capture_output=True, text=True)
            refused = p.returncode != 0 and (name + "_zero_points") in p.stderr
            print("    %s without its zero points: %s" % (name, "refused: " + p.stderr.strip() if refused
                                                         else "NOT REFUSED"))
            ok = ok and refused
    print("    %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
