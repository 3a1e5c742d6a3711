#!/usr/bin/env python3
"""Re-records the shipped-model pins of tests/runtime/test_shipped_pins.cpp
after a deliberate change of the model or of the arithmetic.

  FFNLP_RECORD_PINS=1 build/run_tests -tc='shipped model: answers pinned*' > avx2.txt
  FFNLP_RECORD_PINS=1 build-sse2/run_tests -tc='shipped model: answers pinned*' > sse2.txt
      (build-sse2: make BUILD=build-sse2 EXTRA_CXXFLAGS=-DFFNLP_NO_AVX2 build-sse2/run_tests)
  python3 tests/runtime/record_pins.py avx2.txt sse2.txt

Each run prints one "PIN letters hash label bits ... | kernel path" line per pin, in
the order of the table; this rewrites the numbers and labels of every entry
in place (the texts stay). Say in the commit why the pins changed.
"""
import re
import sys

SOURCE = "tests/runtime/test_shipped_pins.cpp"


def read_pins(path, want):
    pins = []
    for line in open(path, encoding="utf-8", errors="replace"):
        if not line.startswith("PIN "):
            continue
        fields, kernel = line.split(" | ", 1)
        if not kernel.startswith(want):
            sys.exit(f"{path}: kernel path {kernel.strip()}, expected {want}")
        f = fields.split()
        labels, probs = f[3::2], f[4::2]
        pins.append((int(f[1]), f[2], labels, probs))
    return pins


def c_labels(labels):
    quoted = [f'"{l}"' for l in labels]
    return "{" + ", ".join(quoted + ["nullptr"] * (3 - len(quoted))) + "}"


def c_bits(probs):
    return "{" + ", ".join(probs + ["0"] * (3 - len(probs))) + "}"


def main():
    avx2, sse2 = read_pins(sys.argv[1], "avx"), read_pins(sys.argv[2], "sse2")
    if len(avx2) != len(sse2) or not avx2:
        sys.exit(f"{len(avx2)} AVX2 pins, {len(sse2)} SSE2 pins")
    text = open(SOURCE, encoding="utf-8").read()
    entry = re.compile(r"(\d+), (0x[0-9a-f]+ull),(\s*)\{[^}]*\}, \{[^}]*\}, (0x[0-9a-f]+ull),(\s*)\{[^}]*\}\}")
    matches = list(entry.finditer(text))
    if len(matches) != len(avx2):
        sys.exit(f"{len(matches)} entries in {SOURCE}, {len(avx2)} pins recorded")
    out, last = [], 0
    for m, a, s in zip(matches, avx2, sse2):
        if a[0] != s[0] or a[2] != s[2]:
            sys.exit(f"the paths disagree on letters or labels: {a} / {s}")
        out.append(text[last:m.start()])
        out.append(f"{a[0]}, {a[1]},{m.group(3)}{c_labels(a[2])}, {c_bits(a[3])}, {s[1]},{m.group(5)}{c_bits(s[3])}}}")
        last = m.end()
    out.append(text[last:])
    open(SOURCE, "w", encoding="utf-8").write("".join(out))
    print(f"re-recorded {len(avx2)} pins")


if __name__ == "__main__":
    main()
