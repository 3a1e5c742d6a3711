#!/usr/bin/env python3
"""Simulates a whole-word lexicon for short texts on a model's answers
(tools/train/EXPERIMENTS.md, "The written family's words as a lexicon for
short texts"). Nothing of it is in the runtime: this measures whether one
would help before the format carries it.

The lexicon: lexicon_words.py's rules (a word of 3+ letters in a short
line of the family file, in exactly one language's lines and in at least
MIN_LINES of them), over the family file given.

The rule: for a text of at most MAX_WORDS words, each of its lexicon words
adds WEIGHT to its language's log probability among the model's answers
(`langid --top 463 --json`: all of them), and the best answer is taken
again. Longer texts keep the model's answer.

usage: lexicon_sim.py --family data/by_source/written.train.tsv
                      [--min-lines 2] [--weight 3] [--max-words 4]
                      [--langid build/langid] [--model M] NAME=CODE_TAB_TEXT_FILE ...
prints, per file: its texts of at most MAX_WORDS words, right before and
after, and the change.
"""
import argparse
import json
import math
import os
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lexicon_words import build_lexicon  # noqa: E402
from neighbour_words import words  # noqa: E402


def rerank(answers, text, lexicon, weight, max_words):
    """The best code after the lexicon; answers = [(code, probability)]."""
    ws = words(text)
    scores = {code: math.log(max(p, 1e-12)) for code, p in answers}
    if 1 <= len(ws) <= max_words:
        for w in ws:
            for code in lexicon.get(w, ()):
                if code in scores:
                    scores[code] += weight
    return max(scores, key=scores.get) if scores else None


def read_rows(path):
    with open(path, encoding="utf-8") as f:
        return [tuple(ln.rstrip("\n").split("\t", 1)) for ln in f if "\t" in ln]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--family", required=True)
    ap.add_argument("--min-lines", type=int, default=2)
    ap.add_argument("--max-owners", type=int, default=1)
    ap.add_argument("--weight", type=float, default=3.0)
    ap.add_argument("--max-words", type=int, default=4)
    ap.add_argument("--langid", default="build/langid")
    ap.add_argument("--model")
    ap.add_argument("sets", nargs="+", metavar="NAME=FILE")
    args = ap.parse_args()
    lexicon = build_lexicon(read_rows(args.family), args.min_lines, args.max_owners)
    print(f"lexicon: {len(lexicon)} words of {len({c for cs in lexicon.values() for c in cs})} languages")
    command = [args.langid, "--top", "463", "--json"] + (["--model", args.model] if args.model else [])
    for spec in args.sets:
        name, path = spec.split("=", 1)
        rows = [(g, t) for g, t in read_rows(path) if 1 <= len(words(t)) <= args.max_words]
        out = subprocess.run(command, input="".join(t + "\n" for _, t in rows),
                             capture_output=True, text=True, check=True).stdout.splitlines()
        before = after = 0
        for (gold, text), line in zip(rows, out):
            answers = [(r["language"], r["probability"]) for r in json.loads(line)["results"]]
            before += bool(answers) and answers[0][0] == gold
            after += rerank(answers, text, lexicon, args.weight, args.max_words) == gold
        print(f"{name:10s} texts of <= {args.max_words} words: {len(rows):7d}  right before {before:7d}"
              f"  after {after:7d}  change {after - before:+d}")


if __name__ == "__main__":
    main()
