#!/usr/bin/python3
"""(d) A window tagger trained in PyTorch on the runtime's own token
features, converted and run through the C API: the same label for every
token and its probability within 2e-4 of torch's (the qint8 output layer
runs the runtime's integer kernel, int16 activations: 2.6e-5 measured).

  1. a features-only token model file (convert_model --spec, no arrays)
     describes the channels: a word vocabulary with hashed out-of-vocabulary
     rows over offsets -2..2, suffixes and shapes over -1..1, character
     trigrams of the token itself and the two previous labels;
     ffnlp_token_features() gives each token's (channel, slot, row, weight)
     records, padding rows and prev_label rows included;
  2. per channel one nn.EmbeddingBag (mode "sum", the API's weights) with a
     bag per (token, window slot), concatenated by slot, + Linear + ReLU +
     Linear, trained with Adam on the gold previous labels;
  3. the word table quantized in PyTorch (quint8, zero point 128), the output
     layer qint8 per_channel_symmetric; the rest float32;
  4. convert_model imports them; torch then tags each test sentence greedily
     left to right (each token's prev_label features from the labels torch
     has just predicted, through ffnlp_token_features) and the C API
     (ffnlp_tag_tokens, ffnlp_tag on the joined text) must give the same
     labels and, for each token, the same winning probability within 2e-4.
The sentences come from a made-up grammar with ambiguous words (a word's
tag depends on its neighbours), so nothing outside the repository is needed.
"""
import os
import sys
import tempfile

import numpy as np
import torch
from torch import nn

import ffnlp_capi as ffnlp

TAGS = ["DET", "ADJ", "NOUN", "VERB", "ADV", "PRON", "NUM", "PUNCT"]
TAG = {t: i for i, t in enumerate(TAGS)}
OOV_BUCKETS = 16
STEPS = 40
NOISE = 0.1  # share of training tags replaced at random

# Channel order = the runtime's input vector order; dims and window per channel.
CHANNELS = """\
[channel]
kind = word
seed = 21
vocab_file = words.txt
oov_buckets = %d
dims = 16
pooling = concat
window = -2,-1,0,1,2
quantize = 0
embedding = emb_word
[channel]
kind = suffix
length = 2
seed = 22
buckets = 402
dims = 8
pooling = concat
window = -1,0,1
quantize = 0
embedding = emb_suffix
[channel]
kind = shape
buckets = 102
dims = 6
pooling = concat
window = -1,0,1
quantize = 0
embedding = emb_shape
[channel]
kind = char_ngram
order = 3
seed = 23
buckets = 602
dims = 8
pooling = concat
window = 0
quantize = 0
embedding = emb_trigram
[channel]
kind = prev_label
buckets = %d
dims = 4
pooling = concat
window = -2,-1
quantize = 0
embedding = emb_prev
""" % (OOV_BUCKETS, len(TAGS) + 2)
WINDOWS = [5, 3, 3, 1, 2]  # slots per channel, as in CHANNELS
DIMS = [16, 8, 6, 8, 4]

TEXT = """\
[text]
tokenizer = words
lowercase = 1
"""

FEATURES_ONLY = "[model]\ntask = features\n" + TEXT + CHANNELS

TAGGER = "[model]\ntask = tagger\nname = interop-window-tagger\n" + TEXT + CHANNELS + """\
[layer]
weights = hidden_w
bias = hidden_b
activation = relu
[layer]
weights = out_w
bias = out_b
activation = softmax
[labels]
""" + "".join(t + "\n" for t in TAGS)


class Grammar:
    """A made-up language: each class has its own words (with telling
    suffixes for nouns, verbs and adjectives, so unseen words can be
    guessed), and some words are both a noun and a verb."""

    SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    SUFFIXES = {"NOUN": "ok", "VERB": "ari", "ADJ": "ul"}

    def __init__(self, rng):
        self.rng = rng
        self.words = {"DET": ["ta", "ko", "mi"], "PRON": ["ju", "sa", "ve"], "ADV": ["lento", "fasto", "nuno"]}
        self.known = set()
        ambiguous = self.make(6, "")
        self.words["NOUN"] = self.make(14, "ok") + ambiguous
        self.words["VERB"] = self.make(12, "ari") + ambiguous
        self.words["ADJ"] = self.make(10, "ul")

    def stem(self, syllables):
        return "".join(self.rng.choice(self.SYLLABLES, syllables))

    def make(self, count, suffix):
        out = []
        while len(out) < count:
            word = self.stem(int(self.rng.integers(1, 3))) + suffix
            if word not in self.known:
                self.known.add(word)
                out.append(word)
        return out

    def new_word(self, tag):
        """A word not in the lexicon: only its suffix and shape tell."""
        while True:
            word = self.stem(3) + self.SUFFIXES[tag]
            if word not in self.known:
                return word

    def word(self, tag, unseen):
        if unseen and tag in ("NOUN", "VERB", "ADJ") and self.rng.random() < 0.25:
            return self.new_word(tag)
        return str(self.rng.choice(self.words[tag]))

    def noun_phrase(self):
        if self.rng.random() < 0.25:
            return ["PRON"]
        tags = ["DET"] if self.rng.random() < 0.8 else []
        if self.rng.random() < 0.3:
            tags.append("NUM")
        tags += ["ADJ"] * int(self.rng.integers(0, 3))
        return tags + ["NOUN"]

    def sentence(self, unseen=False):
        tags = self.noun_phrase() + ["VERB"]
        if self.rng.random() < 0.6:
            tags += self.noun_phrase()
        if self.rng.random() < 0.4:
            tags.append("ADV")
        if self.rng.random() < 0.2:
            tags += ["PUNCT"] + self.noun_phrase() + ["VERB"]
        tags.append("PUNCT")
        tokens = []
        for k, tag in enumerate(tags):
            if tag == "NUM":
                token = str(int(self.rng.integers(2, 2000))) if self.rng.random() < 0.7 else "%d.%d" % (
                    self.rng.integers(1, 99), self.rng.integers(0, 9))
            elif tag == "PUNCT":
                token = "." if k == len(tags) - 1 else ","
                if k == len(tags) - 1 and self.rng.random() < 0.2:
                    token = "!"
            else:
                token = self.word(tag, unseen)
            tokens.append(token)
        tokens[0] = tokens[0].capitalize()
        if self.rng.random() < 0.05:
            tokens[-2] = tokens[-2].upper()
        return tokens, [TAG[t] for t in tags]


class Batch:
    """EmbeddingBag inputs for a list of tokens' feature records: per
    channel, one bag per (token, window slot), bags in token-major order."""

    def __init__(self, feature_lists):
        self.count = len(feature_lists)
        self.channels = []
        for c, slots in enumerate(WINDOWS):
            bags, rows, weights = [], [], []
            for t, features in enumerate(feature_lists):
                for channel, slot, row, weight in features:
                    if channel == c:
                        bags.append(t * slots + slot)
                        rows.append(row)
                        weights.append(weight)
            bags = np.array(bags, dtype=np.int64)
            order = np.argsort(bags, kind="stable")
            sizes = np.bincount(bags, minlength=self.count * slots)
            offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
            self.channels.append((torch.tensor(np.array(rows, dtype=np.int64)[order]), torch.tensor(offsets),
                                  torch.tensor(np.array(weights, dtype=np.float32)[order])))


class WindowTagger(nn.Module):
    def __init__(self, tables, hidden, labels):
        super().__init__()
        self.bags = nn.ModuleList(nn.EmbeddingBag(rows, dims, mode="sum") for rows, dims in tables)
        self.hidden = nn.Linear(sum(d * s for (_, d), s in zip(tables, WINDOWS)), hidden)
        self.out = nn.Linear(hidden, labels)

    def forward(self, batch):
        # Bag (t, s) of channel c lands at columns s * dims ... of its slice:
        # the runtime's concat layout.
        x = torch.cat([bag(rows, offsets, per_sample_weights=w).reshape(batch.count, -1)
                       for bag, (rows, offsets, w) in zip(self.bags, batch.channels)], dim=1)
        return self.out(torch.relu(self.hidden(x)))


def greedy_tag(net, model, tokens):
    """Torch's own left-to-right decoding: token i's prev_label rows come
    from the labels torch predicted for tokens i-2 and i-1."""
    labels, probabilities = [], []
    with torch.no_grad():
        for i in range(tokens.n):
            p = torch.softmax(net(Batch([model.token_features(tokens, i, labels)])), dim=1)[0]
            best = int(torch.argmax(p))
            labels.append(best)
            probabilities.append(float(p[best]))
    return labels, probabilities


def main():
    torch.manual_seed(7)
    rng = np.random.default_rng(7)
    grammar = Grammar(rng)
    train = [grammar.sentence() for _ in range(700)]
    test = [grammar.sentence(unseen=True) for _ in range(120)]
    test += [(["Ta"], [TAG["DET"]]), (["Ju", "lentari"], [TAG["PRON"], TAG["VERB"]])]  # all padding
    counts = {}
    for tokens, _ in train:
        for t in tokens:
            counts[t.lower()] = counts.get(t.lower(), 0) + 1
    # The vocabulary in the order of its UTF-8 bytes: the row order the
    # runtime uses, so the features-only file's rows are the table's rows.
    vocab = sorted((w for w, n in counts.items() if n >= 2), key=lambda w: w.encode("utf-8"))
    ok = True
    print("(d) PyTorch window tagger on the runtime's token features, through the C API")
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "words.txt"), "w") as f:
            f.write("".join(w + "\n" for w in vocab))
        spec = os.path.join(tmp, "features.spec")
        with open(spec, "w") as f:
            f.write(FEATURES_ONLY)
        features_ffm = os.path.join(tmp, "features.ffm")
        ffnlp.convert_model(["--spec", spec, "-o", features_ffm, "--quiet"])
        features_model = ffnlp.Model(features_ffm)
        assert features_model.task() == "features"

        # Training: every token's records with the gold previous labels.
        train_features, train_targets = [], []
        for words, tags in train:
            tokens = ffnlp.Tokens(words)
            for i in range(tokens.n):
                train_features.append(features_model.token_features(tokens, i, tags))
            train_targets += [int(rng.integers(len(TAGS))) if rng.random() < NOISE else t for t in tags]
        rows = [len(vocab) + OOV_BUCKETS + 2, 402, 102, 602, len(TAGS) + 2]  # with the two padding rows
        tables = list(zip(rows, DIMS))
        net = WindowTagger(tables, 32, len(TAGS))
        batch = Batch(train_features)
        targets = torch.tensor(train_targets)
        # Short and with label noise, so the probabilities compared are not all 1.
        opt = torch.optim.Adam(net.parameters(), lr=0.01)
        for _ in range(STEPS):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(net(batch), targets)
            loss.backward()
            opt.step()

        # Quantized in PyTorch; the reference is the net on the dequantized weights.
        with torch.no_grad():
            w = net.bags[0].weight
            scales = (w.abs().amax(dim=1) / 127).float().double()
            scales[scales == 0] = 1.0
            q_word = torch.quantize_per_channel(w, scales, torch.full((w.shape[0],), 128, dtype=torch.long), 0,
                                                torch.quint8)
            obs = torch.ao.quantization.PerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8,
                                                                 qscheme=torch.per_channel_symmetric)
            obs(net.out.weight)
            out_scales, out_zp = obs.calculate_qparams()
            q_out = torch.quantize_per_channel(net.out.weight, out_scales.float().double(), out_zp, 0, torch.qint8)
            net.bags[0].weight.copy_(q_word.dequantize())
            net.out.weight.copy_(q_out.dequantize())

        arrays = {"hidden_w": net.hidden.weight.detach().numpy(), "hidden_b": net.hidden.bias.detach().numpy(),
                  "out_b": net.out.bias.detach().numpy()}
        for name, bag in zip(("emb_suffix", "emb_shape", "emb_trigram", "emb_prev"), net.bags[1:]):
            arrays[name] = bag.weight.detach().numpy()
        for name, qt in (("emb_word", q_word), ("out_w", q_out)):
            arrays[name] = qt.int_repr().numpy()
            arrays[name + "_scales"] = qt.q_per_channel_scales().numpy()
            arrays[name + "_zero_points"] = qt.q_per_channel_zero_points().numpy()
        npz = os.path.join(tmp, "tagger.npz")
        np.savez(npz, **arrays)
        spec = os.path.join(tmp, "tagger.spec")
        with open(spec, "w") as f:
            f.write(TAGGER)
        ffm = os.path.join(tmp, "tagger.ffm")
        report, err = ffnlp.convert_model([npz, "--spec", spec, "-o", ffm])
        for line in report.splitlines():
            if "imported" in line:
                print("    convert_model:" + line.rstrip())
        if err.strip():
            print("    unexpected warnings: " + err.strip())
            ok = False
        names = ("emb_word", "emb_suffix", "emb_shape", "emb_trigram", "emb_prev", "out_w")
        dtypes = {name: ffnlp.dump_tensor(ffm, name)["dtype"] for name in names}
        print("    tensors: " + ", ".join("%s %s" % kv for kv in dtypes.items()))
        ok = ok and dtypes == {"emb_word": "q8_row", "emb_suffix": "f32", "emb_shape": "f32", "emb_trigram": "f32",
                               "emb_prev": "f32", "out_w": "q8_row"}

        model = ffnlp.Model(ffm)
        ok = ok and model.task() == "tagger"
        tokens_total = same_labels = correct = 0
        same_features = same_text = True
        diffs = []
        all_p = []
        for words, gold in test:
            tokens = ffnlp.Tokens(words)
            theirs, their_p = greedy_tag(net, model, tokens)
            ours = model.tag_tokens(tokens)
            same_features = same_features and all(
                model.token_features(tokens, i, theirs) == features_model.token_features(tokens, i, theirs)
                for i in range(tokens.n))
            # The joined text through the tokenizer: the same tokens, labels, probabilities.
            tagged = model.tag(" ".join(words))
            same_text = same_text and [t for t, _, _ in tagged] == words and [
                (label, p) for _, label, p in tagged] == ours
            tokens_total += tokens.n
            same_labels += sum(a == b for (a, _), b in zip(ours, theirs))
            correct += sum(a == b for a, b in zip(theirs, gold))
            all_p += their_p
            diffs += [abs(p - q) for (_, p), q in zip(ours, their_p)]
        diffs = np.array(diffs)
        accuracy = correct / tokens_total
        print("    sentences %d, tokens %d; vocabulary %d words + %d hashed rows; loss %.3f" % (
            len(test), tokens_total, len(vocab), OOV_BUCKETS, float(loss)))
        print("    features of the tagger file = features-only file: %s; ffnlp_tag on the joined text = "
              "ffnlp_tag_tokens: %s" % (same_features, same_text))
        print("    test accuracy (torch, greedy) %.3f; same label %d / %d; winning probability (torch) min %.3f "
              "median %.3f" % (accuracy, same_labels, tokens_total, min(all_p), float(np.median(all_p))))
        print("    |p_ffnlp - p_torch| of the label max %.3g mean %.3g" % (diffs.max(), diffs.mean()))
        ok = (ok and same_features and same_text and same_labels == tokens_total and diffs.max() <= 2e-4
              and accuracy > 0.9)
        model.close()
        features_model.close()
    print("    %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
