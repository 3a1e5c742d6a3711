#!/usr/bin/python3
"""(c) A text classifier trained in PyTorch on the runtime's own features,
converted and run through the C API: probabilities within 2e-4 of torch's
(the qint8 output layer runs the runtime's integer kernel, which rounds its
input to int16: 4.6e-5 measured; 1e-5 before that kernel).

  1. a features-only model file (convert_model --spec, no arrays) describes
     the channels; ffnlp_text_features() gives each text's (channel, row,
     weight) occurrences, so PyTorch trains on exactly what the runtime reads;
  2. nn.EmbeddingBag per channel (mode "sum" with the API's weights: mean or
     sum pooling) + Linear + ReLU + Linear, trained with Adam;
  3. quantized in PyTorch: one table as a quantized nn.EmbeddingBag
     (per_channel_affine_float_qparams), one with quantize_per_channel
     (quint8, zero point 128), one left float32; the output layer qint8
     per_channel_symmetric; saved with int_repr(), scales and zero points;
  4. convert_model --spec imports the quantized tables as they are; the
     C API (ffnlp_scores_ex) against torch's forward pass on the dequantized
     weights, text by text.
The texts are synthetic (four made-up languages of syllables), so the
check needs nothing outside the repository.
"""
import os
import sys
import tempfile
import warnings

import numpy as np
import torch
from torch import nn
from torch.ao.quantization import convert, float_qparams_weight_only_qconfig, prepare

import ffnlp_capi as ffnlp

LABELS = ["aa", "bb", "cc", "dd"]

CHANNELS = """\
[channel]
kind = char_ngram
order = 2
seed = 11
buckets = 1500
dims = 16
embedding = emb_bigram
[channel]
kind = char_ngram
order = 3
seed = 12
buckets = 3000
dims = 16
embedding = emb_trigram
[channel]
kind = word
seed = 13
buckets = 2000
dims = 8
pooling = sum
quantize = 0
embedding = emb_word
"""

CLASSIFIER = """\
[model]
task = classifier
name = interop-demo
[text]
lowercase = 1
drop_digits = 1
""" + CHANNELS + """\
[layer]
weights = hidden_w
bias = hidden_b
activation = relu
[layer]
weights = out_w
bias = out_b
activation = softmax
[labels]
aa	Language A
bb	Language B
cc	Language C
dd	Language D
"""

FEATURES_ONLY = """\
[model]
task = features
[text]
lowercase = 1
drop_digits = 1
""" + CHANNELS


def make_languages(rng):
    """Four made-up languages: syllable inventories, a few shared."""
    consonants = "ptkbdgmnslrvzfhjwy"
    vowels = "aeiouäöüé"
    shared = [c + v for c in consonants[:6] for v in vowels[:3]]
    languages = []
    for _ in range(len(LABELS)):
        own = rng.choice([c + v for c in consonants for v in vowels], 24, replace=False).tolist()
        languages.append(own + shared)
    return languages


def make_texts(rng, languages, count):
    texts, labels = [], []
    for _ in range(count):
        label = int(rng.integers(len(LABELS)))
        syllables = languages[label]
        words = []
        for _ in range(int(rng.integers(2, 10))):
            word = "".join(rng.choice(syllables, int(rng.integers(1, 4))))
            words.append(word.capitalize() if rng.random() < 0.2 else word)
        texts.append(" ".join(words) + rng.choice([".", "!", "", " 42."]))
        labels.append(label)
    return texts, labels


def channel_batch(feature_lists, channel):
    """EmbeddingBag inputs of one channel for a list of texts."""
    rows, weights, offsets = [], [], []
    for features in feature_lists:
        offsets.append(len(rows))
        for c, _slot, row, weight in features:
            if c == channel:
                rows.append(row)
                weights.append(weight)
    return (torch.tensor(rows, dtype=torch.long), torch.tensor(offsets, dtype=torch.long),
            torch.tensor(weights, dtype=torch.float32))


class Classifier(nn.Module):
    def __init__(self, tables, hidden, labels):
        super().__init__()
        self.bags = nn.ModuleList(nn.EmbeddingBag(rows, dims, mode="sum") for rows, dims in tables)
        self.hidden = nn.Linear(sum(d for _, d in tables), hidden)
        self.out = nn.Linear(hidden, labels)

    def forward(self, batches):
        x = torch.cat([bag(rows, offsets, per_sample_weights=w) for bag, (rows, offsets, w) in
                       zip(self.bags, batches)], dim=1)
        return self.out(torch.relu(self.hidden(x)))


_KEEP_ALIVE = []


def quantize_float_qparams(bag):
    m = nn.Sequential(bag)
    m[0].qconfig = float_qparams_weight_only_qconfig
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prepare(m, inplace=True)
        convert(m, inplace=True)
    # weight() reads the module's packed parameters: keep the module alive.
    _KEEP_ALIVE.append(m)
    return m[0].weight()


def main():
    torch.manual_seed(5)
    rng = np.random.default_rng(5)
    languages = make_languages(rng)
    train_texts, train_labels = make_texts(rng, languages, 1200)
    test_texts, test_labels = make_texts(rng, languages, 300)
    ok = True
    print("(c) PyTorch text classifier on the runtime's features, through the C API")
    with tempfile.TemporaryDirectory() as tmp:
        spec = os.path.join(tmp, "features.spec")
        with open(spec, "w") as f:
            f.write(FEATURES_ONLY)
        features_ffm = os.path.join(tmp, "features.ffm")
        ffnlp.convert_model(["--spec", spec, "-o", features_ffm, "--quiet"])
        features_model = ffnlp.Model(features_ffm)
        assert features_model.task() == "features"
        train_features = [features_model.text_features(t) for t in train_texts]
        test_features = [features_model.text_features(t) for t in test_texts]

        tables = [(1500, 16), (3000, 16), (2000, 8)]
        net = Classifier(tables, 24, len(LABELS))
        batches = [channel_batch(train_features, c) for c in range(len(tables))]
        targets = torch.tensor(train_labels)
        opt = torch.optim.Adam(net.parameters(), lr=0.02)
        for _ in range(60):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(net(batches), targets)
            loss.backward()
            opt.step()

        # Quantize in PyTorch, the way a PyTorch user would.
        with torch.no_grad():
            q_bigram = quantize_float_qparams(net.bags[0])
            w = net.bags[1].weight
            scales = (w.abs().amax(dim=1) / 127).double()
            scales[scales == 0] = 1.0  # all-zero rows: any scale gives the zero point
            q_trigram = torch.quantize_per_channel(w, scales, torch.full((w.shape[0],), 128, dtype=torch.long), 0,
                                                   torch.quint8)
            obs = torch.ao.quantization.PerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8,
                                                                 qscheme=torch.per_channel_symmetric)
            obs(net.out.weight)
            out_scales, out_zp = obs.calculate_qparams()
            q_out = torch.quantize_per_channel(net.out.weight, out_scales.float().double(), out_zp, 0, torch.qint8)
            # The reference: the same network on the dequantized weights.
            net.bags[0].weight.copy_(q_bigram.dequantize())
            net.bags[1].weight.copy_(q_trigram.dequantize())
            net.out.weight.copy_(q_out.dequantize())

        arrays = {"emb_word": net.bags[2].weight.detach().numpy(),
                  "hidden_w": net.hidden.weight.detach().numpy(), "hidden_b": net.hidden.bias.detach().numpy(),
                  "out_b": net.out.bias.detach().numpy()}
        for name, qt in (("emb_bigram", q_bigram), ("emb_trigram", q_trigram), ("out_w", q_out)):
            arrays[name] = qt.int_repr().numpy()
            arrays[name + "_scales"] = qt.q_per_channel_scales().numpy()
            arrays[name + "_zero_points"] = qt.q_per_channel_zero_points().numpy()
        npz = os.path.join(tmp, "classifier.npz")
        np.savez(npz, **arrays)
        spec = os.path.join(tmp, "classifier.spec")
        with open(spec, "w") as f:
            f.write(CLASSIFIER)
        ffm = os.path.join(tmp, "classifier.ffm")
        report, err = ffnlp.convert_model([npz, "--spec", spec, "-o", ffm])
        for line in report.splitlines():
            if "imported" in line or "float32" in line:
                print("    convert_model:" + line.rstrip())
        if err.strip():
            print("    unexpected warnings: " + err.strip())
            ok = False
        dtypes = {name: ffnlp.dump_tensor(ffm, name)["dtype"] for name in ("emb_bigram", "emb_trigram", "emb_word",
                                                                           "out_w")}
        print("    tensors: " + ", ".join("%s %s" % kv for kv in dtypes.items()))
        ok = ok and dtypes == {"emb_bigram": "q8_row_fzp", "emb_trigram": "q8_row", "emb_word": "f32",
                               "out_w": "q8_row"}

        model = ffnlp.Model(ffm)
        same_features = all(model.text_features(t) == f for t, f in zip(test_texts, test_features))
        with torch.no_grad():
            test_batches = [channel_batch(test_features, c) for c in range(len(tables))]
            theirs = torch.softmax(net(test_batches), dim=1).numpy()
        ours = np.stack([model.probabilities(t) for t in test_texts])
        diff = np.abs(ours - theirs)
        accuracy = float(np.mean(theirs.argmax(axis=1) == np.array(test_labels)))
        agree = float(np.mean(ours.argmax(axis=1) == theirs.argmax(axis=1)))
        print("    texts %d; features of the classifier file = features-only file: %s" % (len(test_texts),
                                                                                         same_features))
        print("    test accuracy (torch) %.3f; same top label %.3f; |p_ffnlp - p_torch| max %.3g mean %.3g" % (
            accuracy, agree, diff.max(), diff.mean()))
        ok = ok and same_features and diff.max() <= 2e-4 and agree == 1.0 and accuracy > 0.8
        model.close()
        features_model.close()
    print("    %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
