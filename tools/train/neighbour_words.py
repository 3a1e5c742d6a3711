#!/usr/bin/env python3
"""Word lists that separate close neighbour languages (heads/neighbour_words.h).

For each group of tools/train/neighbour_groups.tsv: every word's count per
member in the training text, a smoothed log probability per member
(count + alpha) / (tokens + alpha * vocabulary), centred on the group's mean
and clipped to +-clip (a naive-Bayes log-odds score: the evidence one
occurrence of the word gives for each member against the others), and the
`--words-per-group` words that carry the most evidence, ranked by
sum over members of (count / member's tokens) * |score|: frequency relative
to each member's own text, so a member with little text still gets its
words. A word whose key (--key-bits: 32, or 24 for 3-byte keys) a better
word of its group has is skipped and the next one taken: the converter
refuses two words of a group with one key, and at 24 bits two of 430
words share one in about one group of 180. Below 32 bits a word is also
skipped when another word of the group's text (seen 2+ times) shares its
key: the runtime would count that other word as it, on every text that
holds it. With --bits 4 and
--grid-offset, each word's scores are then shifted together by the
constant that brings them nearest the 4-bit levels (only differences
between members decide within a group). Writes the converter's words file
and prints the [neighbours] spec section (docs/SPEC.md).

Words are read as the runtime's word channel reads them, with its character
classes (tools/text_tables/gen_text_tables.py): runs of letters and
combining marks, lowercased (U+0130 -> i, final sigma -> sigma); digits,
punctuation, spaces and the Latin-1 symbols ª º µ separate.

The counts: all input files as one pile, or with --balance-files one file
per source family weighing the same within each language (a language's
software catalogues would otherwise choose its words; --balance-share mixes
the two). The shipped recipe's options: tools/train/langid_config.sh.

usage: neighbour_words.py --groups G.tsv --out WORDS.tsv [options] TRAIN.tsv...
"""
import argparse
import collections
import math
import os
import sys


def read_groups(path):
    """[(labels, words or None)]: one group per line, labels separated by
    spaces; an optional `words=N` on the line caps that group's words (else
    --words-per-group)."""
    groups = []
    with open(path, encoding="utf-8") as f:
        lines = list(f)
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        labels, limit = [], None
        for token in line.split():
            if token.startswith("words="):
                try:
                    limit = int(token[len("words="):])
                except ValueError:
                    limit = -1
                if limit < 1:
                    sys.exit(f"{path}: {token}: the words of a group must be a positive number")
            else:
                labels.append(token)
        groups.append((labels, limit))
    seen = set()
    for g, _ in groups:
        if len(g) < 2 or len(g) > 16:
            sys.exit(f"{path}: group {' '.join(g)} must have 2..16 labels")
        for code in g:
            if code in seen:
                sys.exit(f"{path}: {code} is in two groups")
            seen.add(code)
    return groups


# The runtime's character classes and lowercasing, from the script that
# generates its tables: a word here is a word the model sees (e.g. ª and µ
# separate words there, so they must here).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "text_tables"))
from gen_text_tables import LETTER, char_class, lower_of  # noqa: E402

_WORD_CHAR = {}


def is_word_char(ch):
    v = _WORD_CHAR.get(ch)
    if v is None:
        v = _WORD_CHAR[ch] = char_class(ord(ch)) == LETTER
    return v


def lower(ch):
    return chr(lower_of(ord(ch)))


def words(text):
    out, cur = [], []
    for ch in text:
        if is_word_char(ch):
            cur.append(lower(ch))
        elif cur:
            out.append("".join(cur))
            cur = []
    if cur:
        out.append("".join(cur))
    return out


def count_words(files, languages):
    counts = {code: collections.Counter() for code in languages}
    for path in files:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                code, _, text = line.rstrip("\n").partition("\t")
                if code in counts:
                    counts[code].update(words(text))
    return counts


def balanced_counts(files, languages, min_tokens, share):
    """Counts in which every file (a source family) weighs the same for a
    language: its word frequencies averaged over the files that hold at
    least min_tokens of its words, scaled back to its total token count.
    A language's software catalogues then no longer outvote its everyday
    text just by being larger. share < 1 keeps (1 - share) of the plain
    counts in the mix."""
    per_file = [count_words([path], languages) for path in files]
    counts = {}
    for code in languages:
        parts = [c[code] for c in per_file if sum(c[code].values()) > 0]
        total = sum(sum(p.values()) for p in parts)
        eligible = [p for p in parts if sum(p.values()) >= min_tokens] or parts
        mixed = collections.Counter()
        for p in eligible:
            weight = share * total / len(eligible) / sum(p.values())
            for w, c in p.items():
                mixed[w] += c * weight
        if share < 1:
            for p in parts:
                for w, c in p.items():
                    mixed[w] += c * (1 - share)
        counts[code] = mixed
    return counts


def spec_labels(path):
    """The codes of a model spec's [labels] section (CODE<TAB>NAME lines)."""
    codes, inside = set(), False
    with open(path, encoding="utf-8") as f:
        lines = list(f)
    for line in lines:
        line = line.rstrip("\n")
        if line.startswith("["):
            inside = line.strip() == "[labels]"
        elif inside and line and not line.startswith("#"):
            codes.add(line.split("\t", 1)[0].strip())
    if not codes:
        sys.exit(f"{path}: no [labels] section")
    return codes


def keep_labels(groups, codes):
    """Groups without the labels a model lacks (a fold model has no label for
    a language whose text was all left out); a group left with fewer than
    two labels goes."""
    kept = []
    for g, limit in groups:
        members = [c for c in g if c in codes]
        for c in g:
            if c not in codes:
                print(f"neighbour words: {c} is not a label of the model: left out of {' '.join(g)}", file=sys.stderr)
        if len(members) >= 2:
            kept.append((members, limit))
    return kept


def word_key(word, seed, bits=32):
    """The key the converter stores for a word (docs/FORMAT.md,
    neighbours.words): its code points hashed forward (FNV-1a from
    0x811C9DC5 ^ seed, then murmur3's finaliser of h ^ count;
    runtime/src/features/hash.h), as a row of 4294967295 buckets
    (bucket_of: h * (2^32 - 1) >> 32); with bits 24 its top 24 bits."""
    h = 0x811C9DC5 ^ seed
    for ch in word:
        h = ((h ^ ord(ch)) * 0x01000193) & 0xFFFFFFFF
    h ^= len(word)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & 0xFFFFFFFF
    h ^= h >> 16
    key = (h * 0xFFFFFFFF) >> 32
    return key >> (32 - bits)


def distinct_keys(ranked, limit, seed, bits, shared=frozenset()):
    """The first `limit` words of `ranked` ([(word, scores)], best first)
    whose keys differ from every better word's (the converter refuses two
    words of a group with one key) and are not in `shared` (keys that other
    words of the group's text have too), and how many were passed over."""
    chosen, seen, dropped = [], set(), 0
    for w, scores in ranked:
        if len(chosen) == limit:
            break
        key = word_key(w, seed, bits)
        if key in seen or key in shared:
            dropped += 1
            continue
        seen.add(key)
        chosen.append((w, scores))
    return chosen, dropped


def group_scores(group, counts, args, limit):
    tokens = {code: sum(counts[code].values()) for code in group}
    for code in group:
        if tokens[code] == 0:
            sys.exit(f"no training words for {code}")
    vocabulary = set()
    for code in group:
        vocabulary.update(w for w, c in counts[code].items() if c > 0)
    size = len(vocabulary)
    ranked = []
    for w in vocabulary:
        cs = [counts[code][w] for code in group]
        if sum(cs) < args.min_count:
            continue
        lp = [math.log((c + args.alpha) / (tokens[code] + args.alpha * size)) for c, code in zip(cs, group)]
        mean = sum(lp) / len(lp)
        scores = [max(-args.clip, min(args.clip, x - mean)) for x in lp]
        evidence = sum(c / tokens[code] * abs(s) for c, code, s in zip(cs, group, scores))
        ranked.append((-evidence, w, scores))
    ranked.sort()
    return distinct_keys(((w, scores) for _, w, scores in ranked), limit, args.seed, args.key_bits,
                         shared_keys(group, counts, args.seed, args.key_bits))


def shared_keys(group, counts, seed, bits):
    """Below 32 bits, the keys that two or more words of the group's text
    (each seen at least twice in it) have: a listed word with such a key
    would also be counted for the other word. Empty at 32 bits."""
    if bits >= 32:
        return frozenset()
    seen = collections.Counter()
    for w in {w for code in group for w, c in counts[code].items() if c >= 2}:
        seen[word_key(w, seed, bits)] += 1
    return frozenset(k for k, n in seen.items() if n > 1)


def nearest_grid_offset(scores, step, clip):
    """scores + c, c in [-step/2, step/2] keeping every |score| <= clip, the c
    whose shifted scores lie nearest the levels k * step (the converter's
    4-bit grid: scale max|score| / 7 = clip / 7 when some score is clipped).
    The within-group decision reads differences between members, which a
    common shift leaves unchanged."""
    low = max(-step / 2, -clip - min(scores))
    high = min(step / 2, clip - max(scores))
    if low >= high:
        return scores
    def error(c):
        return sum((x + c - step * math.floor(0.5 + (x + c) / step)) ** 2 for x in scores)
    candidates = [low + (high - low) * i / 64 for i in range(65)]
    best = min(candidates, key=lambda c: (error(c), abs(c)))
    return [x + best for x in scores]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--groups", required=True)
    ap.add_argument("--out", required=True, help="the converter's words file")
    ap.add_argument("--words-per-group", type=int, default=500)
    ap.add_argument("--alpha", type=float, default=0.5, help="additive smoothing of the counts")
    ap.add_argument("--clip", type=float, default=3.0, help="largest |score| of one word")
    ap.add_argument("--min-count", type=int, default=3, help="occurrences in the group's text a word needs")
    ap.add_argument("--seed", type=int, default=3001)
    ap.add_argument("--weight", type=float, default=1.0)
    ap.add_argument("--bits", type=int, choices=(8, 4), default=8,
                    help="the scores' tensor in the model: 8 (q8_row) or 4 (q4_row, half the bytes)")
    ap.add_argument("--key-bits", type=int, choices=(32, 24), default=32,
                    help="the words' keys in the model: 32 (4 bytes) or 24 (3 bytes; a word whose "
                         "24-bit key a better word of its group has is left out, the next taken)")
    ap.add_argument("--grid-offset", action="store_true",
                    help="with --bits 4: shift each word's scores by the constant (within half a "
                         "4-bit step) that puts them nearest the 4-bit levels; only differences "
                         "between a group's members decide, so rounding then costs less")
    ap.add_argument("--balance-files", type=int, default=0, metavar="MIN_TOKENS",
                    help="weigh every input file the same for a language (files with at least "
                         "MIN_TOKENS of its words; 0: count all text as one, the default)")
    ap.add_argument("--balance-share", type=float, default=1.0, metavar="S",
                    help="with --balance-files: the balanced counts' share of the mix, the rest "
                         "plain counts (default 1)")
    ap.add_argument("--labels-from", metavar="SPEC",
                    help="keep only the group members that are labels of this model spec")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    if args.grid_offset and args.bits != 4:
        sys.exit("--grid-offset needs --bits 4 (the 8-bit step is fine enough)")
    groups = read_groups(args.groups)
    if args.labels_from:
        groups = keep_labels(groups, spec_labels(args.labels_from))
    languages = {code for g, _ in groups for code in g}
    if args.balance_files > 0:
        counts = balanced_counts(args.files, languages, args.balance_files, args.balance_share)
    else:
        counts = count_words(args.files, languages)
    with open(args.out, "w", encoding="utf-8") as out:
        out.write("# neighbour words: written by tools/train/neighbour_words.py\n")
        for g, _ in groups:
            out.write("group\t" + " ".join(g) + "\n")
        all_dropped = 0
        for i, (g, limit) in enumerate(groups):
            chosen, dropped = group_scores(g, counts, args, limit or args.words_per_group)
            for w, scores in chosen:
                if args.grid_offset:
                    scores = nearest_grid_offset(scores, args.clip / 7.0, args.clip)
                out.write(f"{w}\t{i}\t" + " ".join(f"{s:.4f}" for s in scores) + "\n")
            passed = f" ({dropped} left out: a better word's key, or one another word of the text has)" if dropped else ""
            print(f"neighbour words: {' '.join(g)}: {len(chosen)} words{passed}", file=sys.stderr)
            all_dropped += dropped
    if args.key_bits != 32:
        plural = "" if all_dropped == 1 else "s"
        print(f"neighbour words: {args.key_bits}-bit keys: {all_dropped} word{plural} left out for a key shared with "
              "a better word or another word of the text",
              file=sys.stderr)
    # The converter reads the words file relative to the spec: keep them side by side.
    print(f"[neighbours]\nseed = {args.seed}\nweight = {args.weight}\nwords = {os.path.basename(args.out)}")
    if args.bits != 8:
        print(f"bits = {args.bits}")
    if args.key_bits != 32:
        print(f"key_bits = {args.key_bits}")


if __name__ == "__main__":
    main()
