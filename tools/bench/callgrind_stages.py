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
        if "dense" in fn:
            g = "dense layers"
        elif re.search(r"sum_exp|exp_sum|argmax|max_value|all_finite", fn):
            g = "top-1, softmax normaliser, finite check"
        elif "intrin" in f or "accumulate_" in fn or ("lambda(unsigned int, unsigned int)#1" in fn and "text_features" not in f):
            g = "embedding rows (sink + dequantize-accumulate)"
        elif "text_features" in f:
            g = "feature extraction (UTF-8, hashing, emission)"
        elif "model.cpp" in f and "forward" in fn:
            g = "forward: setup, averaging, bookkeeping"
        else:
            g = "classify(), other"
        groups[g] = groups.get(g, 0) + n
    print(f"{calls} classify() calls")
    print(f"{'stage':48s} {'instr/call':>11s} {'share':>6s}")
    for g, n in sorted(groups.items(), key=lambda x: -x[1]):
        print(f"{g:48s} {n / calls:11.0f} {100 * n / total:5.1f}%")
    print(f"{'total':48s} {total / calls:11.0f}")


if __name__ == "__main__":
    main()
