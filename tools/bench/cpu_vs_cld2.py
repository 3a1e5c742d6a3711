#!/usr/bin/env python3
"""CPU time per text of langid line mode against CLD2 on the same lines, in
the same run: a companion to `make bench-peers` for a shared machine, where
wall times (and so the harness's start-up subtraction) swing with other
jobs. CPU time counts only what each process itself ran.

usage: cpu_vs_cld2.py [--peers-dir build/peers] [--lines-dir build/bench-peers]
                      [--runs 7] [--passes 10] BUILD [BUILD...]

Needs the line sets `make bench-peers` writes (lines50.tsv, lines200.tsv in
--lines-dir) and the installed peers harness (for npm "cld"). Each run, per
line set: CLD2 through tools/bench/cld2_cpu.mjs (--passes timed passes in
process, CPU time of the passes only), then each BUILD with `--threads 1`
on the lines repeated --passes times (CPU time of the child, minus that of a
one-line input: the start-up). Prints per BUILD the median [min-max] of the
per-run ratios CLD2 CPU per text / BUILD CPU per text (> 1: faster than
CLD2), and with two or more BUILDs each one's ratio to the first.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys


def child_cpu(argv, stdin_path):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(stdin_path, 'rb') as src:
        subprocess.run(argv, stdin=src, stdout=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def span(values):
    return f'{statistics.median(values):.2f} [{min(values):.2f}-{max(values):.2f}]'


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--peers-dir', default='build/peers')
    p.add_argument('--lines-dir', default='build/bench-peers')
    p.add_argument('--runs', type=int, default=7)
    p.add_argument('--passes', type=int, default=10)
    p.add_argument('builds', nargs='+')
    args = p.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    print(f'cpu_vs_cld2: {args.runs} runs, {args.passes} passes; load average {os.getloadavg()[0]:.2f} at start')
    for line_set in ('lines50', 'lines200'):
        tsv = os.path.join(args.lines_dir, line_set + '.tsv')
        if not os.path.isfile(tsv):
            sys.exit(f'cpu_vs_cld2: {tsv} missing (run make bench-peers first)')
        texts = [line.rstrip('\n').split('\t', 1)[1] + '\n' for line in open(tsv, encoding='utf-8')]
        once = os.path.join(args.lines_dir, f'{line_set}_once.txt')
        repeated = os.path.join(args.lines_dir, f'{line_set}_x{args.passes}.txt')
        one_line = os.path.join(args.lines_dir, 'one_line.txt')
        with open(once, 'w', encoding='utf-8') as f:
            f.writelines(texts)
        with open(repeated, 'w', encoding='utf-8') as f:
            f.writelines(texts * args.passes)
        with open(one_line, 'w', encoding='utf-8') as f:
            f.write(texts[0])
        n = len(texts) * args.passes
        ratios = {b: [] for b in args.builds}
        to_first = {b: [] for b in args.builds}
        for _ in range(args.runs):
            out = subprocess.run(['node', os.path.join(here, 'cld2_cpu.mjs'), args.peers_dir, once, str(args.passes)],
                                 capture_output=True, text=True, check=True).stdout
            r = json.loads(out)
            cld2 = r['cpu_seconds'] / r['texts']
            per_text = {}
            for b in args.builds:
                start = child_cpu([b, '--threads', '1'], one_line)
                whole = child_cpu([b, '--threads', '1'], repeated)
                per_text[b] = max(whole - start, 1e-9) / n
                ratios[b].append(cld2 / per_text[b])
            for b in args.builds:
                to_first[b].append(per_text[args.builds[0]] / per_text[b])
        print(f'  {line_set} ({len(texts)} lines x {args.passes}):')
        for b in args.builds:
            extra = f'   {args.builds[0]} CPU / this {span(to_first[b])}' if b != args.builds[0] else ''
            print(f'    {b:28s} CLD2 CPU per text / this {span(ratios[b])}{extra}')
    print(f'  load average {os.getloadavg()[0]:.2f} at the end')


if __name__ == '__main__':
    main()
