#!/usr/bin/env python3
"""How well `langid --spans` splits sentences of different languages, built
from the everyday-phrase files (tests/langid/everyday-*.tsv).

  spans_eval.py [--langid PATH] [--sets dev,test] [--pairs N] [-- LANGID-OPTIONS...]

For each set, four kinds of input, drawn with fixed seeds from its sentences
of 15+ characters that end in . ! or ? and joined by spaces:
  mixed       N pairs of sentences in two different languages;
  same        N/2 pairs of sentences in one language;
  sandwiches  N/2 triples A1 B A2: two sentences of one language around one
              of another;
  short       the same with a short middle sentence (8-14 characters);
  short same  N/2 such triples all in one language.
Reported: the share of letters and other non-space bytes whose span has the
sentence's language (byte accuracy), and the share of inputs whose every
sentence is mostly labelled right (for same-language pairs: answered with
exactly one span of the right language). dev chose the span finder's
settings; test checks them.
"""
import argparse
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def sentences(name, shortest=15, longest=10**9):
    rows = []
    with open(os.path.join(HERE, "everyday-%s.tsv" % name), encoding="utf-8") as f:
        for line in f:
            if "\t" not in line:
                continue
            code, text = line.rstrip("\n").split("\t", 1)
            if shortest <= len(text) <= longest and text.rstrip()[-1:] in ".!?":
                rows.append((code, text))
    return rows


def group_by_language(rows):
    """The texts per language, and the languages with two or more of them."""
    groups = {}
    for code, text in rows:
        groups.setdefault(code, []).append(text)
    return groups, sorted(code for code, texts in groups.items() if len(texts) >= 2)


def mixed_pairs(rows, n, seed):
    rng = random.Random(seed)
    pairs = []
    while len(pairs) < n:
        a, b = rng.sample(rows, 2)
        if a[0] != b[0]:
            pairs.append((a, b))
    return pairs


def same_pairs(rows, n, seed):
    by_language, languages = group_by_language(rows)
    rng = random.Random(seed)
    pairs = []
    while len(pairs) < n:
        code = rng.choice(languages)
        a, b = rng.sample(by_language[code], 2)
        pairs.append(((code, a), (code, b)))
    return pairs


def run_spans(langid, options, texts):
    """Per text, its spans as (code, begin, end) in bytes."""
    done = subprocess.run([langid, "--spans", "--threads", "1"] + options,
                          input=("\n".join(texts) + "\n").encode("utf-8"),
                          capture_output=True, check=True)
    lines = done.stdout.decode("utf-8").split("\n")
    result = []
    for line in lines[:len(texts)]:
        fields = line.split("\t") if line else []
        spans = []
        for i in range(0, len(fields) - 2, 3):
            begin, end = fields[i + 1].split("-")
            spans.append((fields[i], int(begin), int(end)))
        result.append(spans)
    return result


def labels(spans, size):
    out = [None] * size
    for code, begin, end in spans:
        for k in range(begin, end):
            out[k] = code
    return out


def sandwiches(rows, n, seed, inner_rows=None):
    """n triples A1 B A2: two sentences of one language around one of another
    (drawn from inner_rows when given)."""
    by_language, languages = group_by_language(rows)
    rng = random.Random(seed)
    triples = []
    while len(triples) < n:
        outer = rng.choice(languages)
        inner = rng.choice(inner_rows or rows)
        if inner[0] == outer:
            continue
        a1, a2 = rng.sample(by_language[outer], 2)
        triples.append(((outer, a1), inner, (outer, a2)))
    return triples


def same_short(rows, short_rows, n, seed):
    """n triples A1 S A2 in one language, S a short sentence."""
    by_language, languages = group_by_language(rows)
    shorts = [(code, text) for code, text in short_rows if code in languages]
    rng = random.Random(seed)
    triples = []
    while len(triples) < n:
        code, middle = rng.choice(shorts)
        a1, a2 = rng.sample(by_language[code], 2)
        triples.append(((code, a1), (code, middle), (code, a2)))
    return triples


def score(groups, langid, options):
    """(byte accuracy, share of groups right) for groups of (code, text)
    sentences joined by spaces. A group is right when every sentence is
    mostly labelled with its language; one of a single language must come
    out as exactly one span of that language."""
    texts = [" ".join(text for _, text in group) for group in groups]
    right = total = groups_right = 0
    for group, text, spans in zip(groups, texts, run_spans(langid, options, texts)):
        raw = text.encode("utf-8")
        got = labels(spans, len(raw))
        all_right = True
        lo = 0
        for code, sentence in group:
            hi = lo + len(sentence.encode("utf-8"))
            part = [k for k in range(lo, hi) if raw[k:k + 1] != b" "]
            ok = sum(1 for k in part if got[k] == code)
            right += ok
            total += len(part)
            all_right = all_right and ok * 2 > len(part)
            lo = hi + 1
        codes = set(code for code, _ in group)
        if len(codes) == 1:
            all_right = len(spans) == 1 and spans[0][0] == group[0][0]
        groups_right += all_right
    return 100.0 * right / total, 100.0 * groups_right / len(groups)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--langid", default=os.path.join(ROOT, "build", "langid"))
    parser.add_argument("--sets", default="dev,test")
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("extra", nargs="*", help="options passed on to langid")
    args = parser.parse_args(argv)
    for name in args.sets.split(","):
        rows = sentences(name)
        mixed = score(mixed_pairs(rows, args.pairs, 7), args.langid, args.extra)
        same = score(same_pairs(rows, args.pairs // 2, 9), args.langid, args.extra)
        half = args.pairs // 2
        inside = score(sandwiches(rows, half, 11), args.langid, args.extra)
        short_rows = sentences(name, 8, 14)
        short = score(sandwiches(rows, half, 13, short_rows), args.langid, args.extra)
        short_same = score(same_short(rows, short_rows, half, 17), args.langid, args.extra)
        print("%s: mixed pairs (%d): byte accuracy %.2f %%, both sentences right %.1f %%; "
              "same-language pairs (%d): byte accuracy %.2f %%, one right span %.1f %%; "
              "sandwiches (%d): byte accuracy %.2f %%, all three right %.1f %%; "
              "short sandwiches (%d): byte accuracy %.2f %%, all three right %.1f %%; "
              "short same (%d): byte accuracy %.2f %%, one right span %.1f %%"
              % (name, args.pairs, mixed[0], mixed[1], half, same[0], same[1],
                 half, inside[0], inside[1], half, short[0], short[1],
                 half, short_same[0], short_same[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
