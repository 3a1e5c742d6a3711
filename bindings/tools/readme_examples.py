#!/usr/bin/env python3
"""readme_examples.py: the README's examples, as files, and their outputs.

    readme_examples.py extract README.md OUTDIR      writes OUTDIR/NAME for every example
    readme_examples.py check README.md NAME OUTPUT   compares a program's output with the README

In the README, a fenced code block right after the line
`<!-- example: NAME -->` is the example NAME (e.g. langid.c); a fenced block
right after `<!-- output: NAME -->` is what running it prints. The build
compiles and runs each example, and `check` fails unless it printed exactly
that, so the README can only show examples that work.
"""
import os
import re
import sys

MARK = re.compile(r"^<!-- (example|output): (\S+) -->\s*$")


def blocks(readme):
    """{(kind, name): text} for every marked fenced block."""
    with open(readme, encoding="utf-8") as f:
        lines = f.read().split("\n")
    found = {}
    i = 0
    while i < len(lines):
        m = MARK.match(lines[i])
        if not m:
            i += 1
            continue
        j = i + 1
        if j >= len(lines) or not lines[j].startswith("```"):
            raise SystemExit("%s:%d: a marker must be followed by a fenced block" % (readme, i + 1))
        k = j + 1
        while k < len(lines) and lines[k] != "```":
            k += 1
        if k == len(lines):
            raise SystemExit("%s:%d: unterminated block" % (readme, j + 1))
        key = (m.group(1), m.group(2))
        if key in found:
            raise SystemExit("%s:%d: %s %s appears twice" % (readme, i + 1, *key))
        found[key] = "\n".join(lines[j + 1:k]) + "\n"
        i = k + 1
    return found


def main(argv):
    if len(argv) == 3 and argv[0] == "extract":
        found = blocks(argv[1])
        names = [name for kind, name in found if kind == "example"]
        if not names:
            raise SystemExit("%s: no examples" % argv[1])
        os.makedirs(argv[2], exist_ok=True)
        for name in names:
            with open(os.path.join(argv[2], name), "w", encoding="utf-8") as f:
                f.write(found[("example", name)])
        print("examples: %s" % " ".join(names))
        return 0
    if len(argv) == 4 and argv[0] == "check":
        found = blocks(argv[1])
        want = found.get(("output", argv[2]))
        if want is None:
            raise SystemExit("%s: no output block for %s" % (argv[1], argv[2]))
        with open(argv[3], encoding="utf-8") as f:
            got = f.read()
        if got != want:
            sys.stderr.write("%s: the output of %s differs from the README\n--- README\n%s--- program\n%s" %
                             (argv[1], argv[2], want, got))
            return 1
        print("%s: output as in the README" % argv[2])
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
