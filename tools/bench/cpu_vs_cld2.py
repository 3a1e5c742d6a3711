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
process, CPU time of the passes only) between two halves of each BUILD's
work: BUILDs in order, CLD2, BUILDs in reverse order, each BUILD with
`--threads 1` on the lines repeated --passes/2 times (CPU time of the
child, minus that of a one-line input: the start-up), so that a drift of
the machine's speed that is linear over one run weighs on all alike. All
processes run on one CPU (--cpu, default the one this script starts on):
the two vCPUs of a shared VM can differ in speed by 1.3-1.5x for the same
code. Prints per BUILD the median [min-max] of the per-run ratios CLD2 CPU
per text / BUILD CPU per text (> 1: faster than CLD2), and with two or more
BUILDs each one's ratio to the first.
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


def current_cpu():
    """The CPU this process runs on now (field 39 of /proc/self/stat)."""
    with open('/proc/self/stat') as f:
        return int(f.read().rsplit(')', 1)[1].split()[36])


def span(values):
    return f'{statistics.median(values):.2f} [{min(values):.2f}-{max(values):.2f}]'


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--peers-dir', default='build/peers')
    p.add_argument('--lines-dir', default='build/bench-peers')
    p.add_argument('--runs', type=int, default=7)
    p.add_argument('--passes', type=int, default=10, help='even; the builds run half before CLD2, half after')
    p.add_argument('--cpu', type=int, default=-1, help='the CPU to run everything on (-1: the current one)')
    p.add_argument('builds', nargs='+')
    args = p.parse_args()
    args.passes = max(2, args.passes + args.passes % 2)
    cpu = args.cpu if args.cpu >= 0 else current_cpu()
    os.sched_setaffinity(0, {cpu})  # inherited by every child
    here = os.path.dirname(os.path.abspath(__file__))
    print(f'cpu_vs_cld2: {args.runs} runs, {args.passes} passes, all on CPU {cpu}; '
          f'load average {os.getloadavg()[0]:.2f} at start')
    for line_set in ('lines50', 'lines200'):
        tsv = os.path.join(args.lines_dir, line_set + '.tsv')
        if not os.path.isfile(tsv):
            sys.exit(f'cpu_vs_cld2: {tsv} missing (run make bench-peers first)')
        texts = [line.rstrip('\n').split('\t', 1)[1] + '\n' for line in open(tsv, encoding='utf-8')]
        once = os.path.join(args.lines_dir, f'{line_set}_once.txt')
        repeated = os.path.join(args.lines_dir, f'{line_set}_x{args.passes // 2}.txt')
        one_line = os.path.join(args.lines_dir, 'one_line.txt')
        with open(once, 'w', encoding='utf-8') as f:
            f.writelines(texts)
        with open(repeated, 'w', encoding='utf-8') as f:
            f.writelines(texts * (args.passes // 2))
        with open(one_line, 'w', encoding='utf-8') as f:
            f.write(texts[0])
        n = len(texts) * args.passes
        ratios = {b: [] for b in args.builds}
        to_first = {b: [] for b in args.builds}
        def half_run(b):
            start = child_cpu([b, '--threads', '1'], one_line)
            return max(child_cpu([b, '--threads', '1'], repeated) - start, 1e-9)

        for _ in range(args.runs):
            seconds = {b: half_run(b) for b in args.builds}
            out = subprocess.run(['node', os.path.join(here, 'cld2_cpu.mjs'), args.peers_dir, once, str(args.passes)],
                                 capture_output=True, text=True, check=True).stdout
            r = json.loads(out)
            cld2 = r['cpu_seconds'] / r['texts']
            for b in reversed(args.builds):
                seconds[b] += half_run(b)
            per_text = {}
            for b in args.builds:
                per_text[b] = seconds[b] / n
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
