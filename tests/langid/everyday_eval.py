#!/usr/bin/env python3
"""Everyday-phrase test for the language identifier: check, split, evaluate.

  everyday_eval.py [--langid PATH] [--errors] [--sets dev,test,ambiguous] [-- LANGID-OPTIONS...]
      run the identifier on everyday-dev.tsv, everyday-test.tsv and
      everyday-ambiguous.tsv (or the --sets named) and print accuracy overall, by length, by kind of
      text, by language, and the confusions (--errors: and every wrong
      answer with its text). LANGID-OPTIONS (for example
      --model other.ffm) are passed on to the identifier.
  everyday_eval.py --check [--langid PATH]
      validate the files (format, NFC, duplicates, split, language codes the
      model knows, at least 8 test phrases per language); exit status 1 on
      any problem.
  everyday_eval.py --split
      rewrite everyday-dev.tsv and everyday-test.tsv from everyday-source.tsv.

everyday-source.tsv (CODE<TAB>KIND<TAB>TEXT) is the one place phrases are
edited. The split is a pure function of each line, so adding a phrase never
moves another one: a phrase goes to dev when the first 8 hex digits of
SHA-256("CODE<TAB>TEXT"), read as a number, are 0 or 1 modulo 5 (about 40 %),
to test otherwise. Standard library only.
"""

import argparse
import collections
import hashlib
import json
import os
import subprocess
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SOURCE = os.path.join(HERE, "everyday-source.tsv")
DEV = os.path.join(HERE, "everyday-dev.tsv")
TEST = os.path.join(HERE, "everyday-test.tsv")
AMBIGUOUS = os.path.join(HERE, "everyday-ambiguous.tsv")
# Checks of one large language and its neighbours (README.md), written
# before that language's training lines and by someone else; not in the
# default sets.
CHECKS = {code: os.path.join(HERE, f"everyday-{code}.tsv") for code in ("fr", "ru", "es", "greetings")}

KINDS = ("greet", "travel", "chat", "email", "news", "review")
MIN_TEST_PER_LANGUAGE = 8
BUCKETS = (("<=20", 20), ("21-40", 40), (">40", None))


def in_dev(code, text):
    digest = hashlib.sha256((code + "\t" + text).encode("utf-8")).hexdigest()
    return int(digest[:8], 16) % 5 < 2


def read_lines(path):
    with open(path, encoding="utf-8", newline="") as f:
        data = f.read()
    if data and not data.endswith("\n"):
        raise SystemExit(f"{path}: the last line has no newline")
    return data.split("\n")[:-1] if data else []


def read_source(problems):
    rows = []
    for number, line in enumerate(read_lines(SOURCE), 1):
        parts = line.split("\t")
        where = f"everyday-source.tsv:{number}"
        if len(parts) != 3 or not all(parts):
            problems.append(f"{where}: want CODE<TAB>KIND<TAB>TEXT")
            continue
        code, kind, text = parts
        if kind not in KINDS:
            problems.append(f"{where}: unknown kind '{kind}'")
        rows.append((code, kind, text, where))
    return rows


def read_labelled(path, problems):
    rows = []
    name = os.path.basename(path)
    for number, line in enumerate(read_lines(path), 1):
        parts = line.split("\t")
        if len(parts) != 2 or not all(parts):
            problems.append(f"{name}:{number}: want CODE<TAB>TEXT")
            continue
        rows.append((parts[0], parts[1], f"{name}:{number}"))
    return rows


def split_lines(source_rows):
    dev, test = [], []
    for code, _kind, text, _where in source_rows:
        (dev if in_dev(code, text) else test).append(f"{code}\t{text}\n")
    return dev, test


def model_labels(langid):
    out = subprocess.run([langid, "--list"], capture_output=True, text=True, check=True).stdout
    return {line.split("\t")[0] for line in out.splitlines() if line}


def check_phrase(code, text, where, labels, seen, problems):
    """One labelled phrase: NFC, no stray spaces, a label the model has,
    not a text already seen (seen: text -> where, updated)."""
    if unicodedata.normalize("NFC", text) != text:
        problems.append(f"{where}: not NFC")
    if text != text.strip() or "  " in text:
        problems.append(f"{where}: stray spaces")
    if code not in labels:
        problems.append(f"{where}: the model has no label '{code}'")
    if text in seen:
        problems.append(f"{where}: the same text as {seen[text]}")
    seen[text] = where


def check(langid):
    problems = []
    source = read_source(problems)
    dev = read_labelled(DEV, problems)
    test = read_labelled(TEST, problems)
    ambiguous = read_labelled(AMBIGUOUS, problems)
    checks = {code: read_labelled(path, problems) for code, path in CHECKS.items()}
    labels = model_labels(langid)

    seen = {}
    for code, _kind, text, where in source:
        check_phrase(code, text, where, labels, seen, problems)
    for codes, text, where in ambiguous:
        if unicodedata.normalize("NFC", text) != text:
            problems.append(f"{where}: not NFC")
        split_codes = codes.split(",")
        if len(split_codes) < 2 or len(set(split_codes)) != len(split_codes):
            problems.append(f"{where}: want two or more different codes")
        for code in split_codes:
            if code not in labels:
                problems.append(f"{where}: the model has no label '{code}'")
        if text in seen:
            problems.append(f"{where}: also in {seen[text]}")

    for lines in checks.values():
        check_seen = {}
        for code, text, where in lines:
            check_phrase(code, text, where, labels, check_seen, problems)
            if text in seen:
                problems.append(f"{where}: also in {seen[text]}")

    want_dev, want_test = split_lines(source)
    if [f"{c}\t{t}\n" for c, t, _ in dev] != want_dev:
        problems.append("everyday-dev.tsv is not what --split writes from everyday-source.tsv")
    if [f"{c}\t{t}\n" for c, t, _ in test] != want_test:
        problems.append("everyday-test.tsv is not what --split writes from everyday-source.tsv")
    if {t for _, t, _ in dev} & {t for _, t, _ in test}:
        problems.append("dev and test share texts")

    per_language = collections.Counter(c for c, _, _ in test)
    for code in sorted({c for c, _, _, _ in source}):
        if per_language[code] < MIN_TEST_PER_LANGUAGE:
            problems.append(f"{code}: {per_language[code]} test phrases, want {MIN_TEST_PER_LANGUAGE}")

    for problem in problems:
        print(problem)
    languages = len({c for c, _, _, _ in source})
    print(f"{len(source)} phrases in {languages} languages: dev {len(dev)}, test {len(test)}; "
          f"ambiguous {len(ambiguous)}; checks " + ", ".join(f"{c} {len(v)}" for c, v in checks.items()) +
          f"; {len(problems)} problems")
    return 1 if problems else 0


def classify(langid, extra, texts):
    """Top answer (code, probability, reliable) for each text, one process per file."""
    payload = "".join(t + "\n" for t in texts)
    run = subprocess.run([langid, "--json", *extra], input=payload, capture_output=True,
                         text=True, encoding="utf-8")
    if run.returncode != 0:
        raise SystemExit(f"{langid} failed ({run.returncode}): {run.stderr.strip()}")
    lines = run.stdout.splitlines()
    if len(lines) != len(texts):
        raise SystemExit(f"{langid}: {len(lines)} answers for {len(texts)} texts")
    answers = []
    for line in lines:
        results = json.loads(line)["results"]
        top = results[0] if results else {"language": "und", "probability": 0.0, "is_reliable": False}
        answers.append((top["language"], top["probability"], top["is_reliable"]))
    return answers


def bucket_of(text):
    n = len(text)
    for name, limit in BUCKETS:
        if limit is None or n <= limit:
            return name
    return BUCKETS[-1][0]


def percent(right, total):
    return f"{100.0 * right / total:6.2f} %" if total else "     - "


def report(title, rows, answers, kinds, show_errors):
    """rows: (gold codes tuple, text); kinds: text -> kind or None."""
    total = len(rows)
    right = 0
    reliable = reliable_right = 0
    by_bucket = collections.defaultdict(lambda: [0, 0])
    by_kind = collections.defaultdict(lambda: [0, 0])
    by_language = collections.defaultdict(lambda: [0, 0])
    confusions = collections.Counter()
    errors = []
    for (gold, text), (predicted, _probability, is_reliable) in zip(rows, answers):
        ok = predicted in gold
        right += ok
        reliable += is_reliable
        reliable_right += ok and is_reliable
        for table, key in ((by_bucket, bucket_of(text)), (by_kind, kinds.get(text)),
                           (by_language, ",".join(gold))):
            if key is not None:
                table[key][0] += ok
                table[key][1] += 1
        if not ok:
            confusions[(",".join(gold), predicted)] += 1
            if show_errors:
                errors.append(f"     {','.join(gold):<12} -> {predicted:<10} {text}")

    print(f"== {title}: {total} texts, top-1 accuracy {percent(right, total).strip()} ({right}/{total})")
    print(f"   marked reliable: {reliable} ({percent(reliable, total).strip()}), "
          f"right when reliable: {percent(reliable_right, reliable).strip()}")
    print("   by length (characters):")
    for name, _limit in BUCKETS:
        r, n = by_bucket[name]
        print(f"     {name:<6} {percent(r, n)}  ({r}/{n})")
    if by_kind:
        print("   by kind of text:")
        for kind in KINDS:
            r, n = by_kind[kind]
            print(f"     {kind:<6} {percent(r, n)}  ({r}/{n})")
    print("   by language (worst first):")
    order = sorted(by_language.items(), key=lambda item: (item[1][0] / item[1][1], item[0]))
    for code, (r, n) in order:
        print(f"     {code:<12} {percent(r, n)}  ({r}/{n})")
    print("   confusions (gold -> answer, count):")
    for (gold, predicted), count in sorted(confusions.items(), key=lambda item: (-item[1], item[0])):
        print(f"     {gold:<12} -> {predicted:<10} {count}")
    if show_errors:
        print("   wrong answers (gold -> answer, text):")
        print("\n".join(errors))
    print()
    return right, total


SETS = {"dev": DEV, "test": TEST, "ambiguous": AMBIGUOUS, **CHECKS}


def evaluate(langid, extra, show_errors, sets=("dev", "test", "ambiguous")):
    problems = []
    kinds = {text: kind for _code, kind, text, _where in read_source(problems)}
    summary = []
    for path in (SETS[name] for name in sets):
        labelled = read_labelled(path, problems)
        if problems:
            raise SystemExit("\n".join(problems))
        rows = [(tuple(codes.split(",")), text) for codes, text, _ in labelled]
        answers = classify(langid, extra, [text for _, text in rows])
        name = os.path.basename(path)
        right, total = report(name, rows, answers, kinds, show_errors)
        summary.append((name, right, total))
    print("summary: " + "; ".join(f"{name} {percent(r, n).strip()} ({r}/{n})" for name, r, n in summary))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--langid", default=os.path.join(ROOT, "build", "langid"),
                        help="the identifier to run (default: build/langid of this repository)")
    parser.add_argument("--check", action="store_true", help="validate the phrase files")
    parser.add_argument("--split", action="store_true", help="rewrite dev and test from the source")
    parser.add_argument("--errors", action="store_true", help="also list every wrong answer with its text")
    parser.add_argument("--sets", default="dev,test,ambiguous",
                        help="files to evaluate, comma-separated: dev, test, ambiguous, fr, ru, es (default dev,test,ambiguous; a candidate "
                             "model is chosen on dev,ambiguous and test is run once)")
    parser.add_argument("extra", nargs="*", help="options passed to the identifier (after --)")
    args = parser.parse_args()
    if args.split:
        problems = []
        dev, test = split_lines(read_source(problems))
        if problems:
            raise SystemExit("\n".join(problems))
        for path, lines in ((DEV, dev), (TEST, test)):
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.writelines(lines)
        print(f"wrote {len(dev)} dev and {len(test)} test phrases")
        return 0
    if not os.access(args.langid, os.X_OK):
        raise SystemExit(f"{args.langid} is missing: build it with make build/langid")
    if args.check:
        return check(args.langid)
    sets = args.sets.split(",")
    if not sets or any(name not in SETS for name in sets):
        raise SystemExit(f"--sets: names from {','.join(SETS)}")
    return evaluate(args.langid, args.extra, args.errors, sets)


if __name__ == "__main__":
    sys.exit(main())
