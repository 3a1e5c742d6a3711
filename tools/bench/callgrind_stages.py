#!/usr/bin/env python3
"""Groups a callgrind profile of `bench --profile CLASS` into pipeline stages.

usage: callgrind_stages.py CALLGRIND_OUT BENCH_STDOUT
Self (exclusive) instruction counts, per classify() call; the call count is
read from the bench's "profile: P passes over N ... texts" line. Inlined code
is attributed by source file: SSE intrinsics inside Model::forward are the
embedding rows (the only intrinsics inlined there).
"""
import re
import subprocess
import sys


# (stage, pattern), matched on the function name first, then on the file
# name: inlined intrinsics carry the header's file name, so the file alone
# cannot tell the extraction's AVX2 code from the embedding kernels'. The
# generic (non-AVX2) loop pools rows in a lambda of forward.cpp.
STAGES = [
    ("neighbour words (head)", r"neighbour|find_group|best_grouped_label|GroupSums"),
    ("lexicon (head)", r"lexicon"),
    ("dense layers (with ReLU, activation quantizer)", r"dense|quantize_activations|::relu\("),
    ("top-1, softmax normaliser, finite check", r"sum_exp|exp_sum|argmax|max_value|all_finite|first_index_of|add_finite_max"),
    ("feature extraction (cleanup, UTF-8, hashing, emission)",
     r"extract_|flush_chunk|skip_span|is_laughter|text_features|text_walk|word_keys|features/"),
    ("embedding rows (sink + dequantize-accumulate)",
     r"accumulate_|PoolTarget|RowPooler|add_group|lambda\(unsigned int, unsigned int\)#1"),
    ("forward: setup, averaging, bookkeeping", r"forward|scratch\.h|layout|memset"),
]


def stage_of(path, function):
    if "text_features" in path:
        return "feature extraction (cleanup, UTF-8, hashing, emission)"
    for name in (function, path):
        for stage, pattern in STAGES:
            if re.search(pattern, name):
                return stage
    return "classify(), other"


def main():
    out = subprocess.run(["callgrind_annotate", "--inclusive=no", "--threshold=100", sys.argv[1]],
                         capture_output=True, text=True, check=True).stdout
    m = re.search(r"profile: (\d+) passes over (\d+)", open(sys.argv[2]).read())
    calls = int(m.group(1)) * int(m.group(2))
    groups, total = {}, 0
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+) \([ \d.]+%\)\s+(\S+?):(.*)$", line)
        if not m or "PROGRAM TOTALS" in line:
            continue
        n, f, fn = int(m.group(1).replace(",", "")), m.group(2), m.group(3)
        total += n
        g = stage_of(f, fn)
        groups[g] = groups.get(g, 0) + n
    print(f"{calls} classify() calls")
    print(f"{'stage':56s} {'instr/call':>11s} {'share':>6s}")
    for g, n in sorted(groups.items(), key=lambda x: -x[1]):
        print(f"{g:56s} {n / calls:11.0f} {100 * n / total:5.1f}%")
    print(f"{'total':56s} {total / calls:11.0f}")


if __name__ == "__main__":
    main()
