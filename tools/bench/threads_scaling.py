#!/usr/bin/env python3
"""Thread scaling of langid's line mode: `--threads 2` against `--threads 1`
on the same lines, runs interleaved, with what else the machine was doing.

usage: threads_scaling.py [--langid build/langid] [--lines FILE]
                          [--total 200000] [--runs 7] [--threads 2]

The lines (default: the texts of build/bench-peers/lines50.tsv, written by
`make bench-peers`) are repeated to --total lines in a file, so no pipe and
no feeding process compete for the cores. One run = `--threads 1`, then
`--threads N`, then two `--threads 1` processes on the two halves of the
file at once (the order of the three alternates from run to run). Each is
timed by the wall clock and by the CPU time of the child. With --per-cpu,
each run also times `--threads 1` pinned to each CPU in turn: on a VM whose
vCPUs differ in speed (this project's machines: 1.3-1.5x), N threads can at
best reach the sum of the per-CPU one-thread rates, so the threaded mode is
also reported as a share of that sum.

Printed, median [min-max] over the runs:
  wall --threads 1 / wall --threads N      the speed-up (target: >= 1.8 for N = 2)
  wall one process / wall two at once      what two independent processes got:
                                           the machine's free capacity, the
                                           ceiling for the threaded mode
  CPU --threads N / CPU --threads 1        the pipeline's own cost
  CPU / wall of --threads N                the cores it got
  with --per-cpu: one-thread rate on each CPU / the fastest, and the rate of
  --threads N / the sum of the per-CPU one-thread rates (1.0 = every core
  fully used)
and the load: the 1-minute load average at the start and end of each run, and
the CPU the rest of the machine used during the runs (from /proc/stat: all
busy time minus ours, in cores), so a figure can be read against the load.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def busy_jiffies():
    """Busy and total jiffies of all CPUs (/proc/stat), or None off Linux."""
    try:
        with open('/proc/stat') as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle


def pinned_to(cpu):
    """A preexec function that pins the child to one CPU (None: no pinning)."""
    if cpu is None:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


def timed(commands, cpu=None):
    """Runs the commands at once (stdin from the given files, stdout
    discarded); returns (wall seconds, CPU seconds of them all, busy CPU
    seconds of the whole machine or None)."""
    hz = os.sysconf('SC_CLK_TCK')
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy0 = busy_jiffies()
    start = time.perf_counter()
    procs = []
    for argv, path in commands:
        with open(path, 'rb') as src:
            procs.append(subprocess.Popen(argv, stdin=src, stdout=subprocess.DEVNULL,
                                          preexec_fn=pinned_to(cpu)))
    for p in procs:
        if p.wait() != 0:
            sys.exit(f'threads_scaling: {p.args} exited with {p.returncode}')
    wall = time.perf_counter() - start
    busy1 = busy_jiffies()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    machine = None if busy0 is None or busy1 is None else (busy1 - busy0) / hz
    return wall, cpu, machine


def span(values, digits=2):
    return f'{statistics.median(values):.{digits}f} [{min(values):.{digits}f}-{max(values):.{digits}f}]'


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--langid', default='build/langid')
    p.add_argument('--lines', default='build/bench-peers/lines50.tsv',
                   help='a .tsv (label, text) or a text file of one line per text')
    p.add_argument('--total', type=int, default=200000, help='lines per run (the input repeated)')
    p.add_argument('--runs', type=int, default=7)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--per-cpu', action='store_true',
                   help='also time --threads 1 pinned to each CPU (asymmetric vCPUs)')
    args = p.parse_args()
    if not os.path.isfile(args.lines):
        sys.exit(f'threads_scaling: {args.lines} missing (run make bench-peers, or give --lines)')
    with open(args.lines, encoding='utf-8') as f:
        texts = [line.rstrip('\n') for line in f]
    if args.lines.endswith('.tsv'):
        texts = [t.split('\t', 1)[1] for t in texts]
    texts = [t for t in texts if t]
    lines = [texts[i % len(texts)] + '\n' for i in range(args.total)]
    langid = os.path.abspath(args.langid)
    n = args.threads
    with tempfile.TemporaryDirectory() as tmp:
        whole, half1, half2 = (os.path.join(tmp, name) for name in ('all.txt', 'half1.txt', 'half2.txt'))
        for path, part in ((whole, lines), (half1, lines[:len(lines) // 2]), (half2, lines[len(lines) // 2:])):
            with open(path, 'w', encoding='utf-8') as f:
                f.writelines(part)
        one = ([langid, '--threads', '1'], whole)
        many = ([langid, '--threads', str(n)], whole)
        halves = [([langid, '--threads', '1'], half1), ([langid, '--threads', '1'], half2)]
        timed([one])  # warm the page cache and the binary
        scaling, capacity, cpu_cost, cores, others, loads = [], [], [], [], [], []
        cpus = sorted(os.sched_getaffinity(0)) if args.per_cpu else []
        per_cpu_rel = {c: [] for c in cpus}
        share_of_sum = []
        print(f'threads_scaling: {langid}, {args.total} lines of {args.lines} (median '
              f'{statistics.median(len(t) for t in texts):.0f} characters), {args.runs} runs, '
              f'{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the start')
        for run in range(args.runs):
            load_start = os.getloadavg()[0]
            order = ['one', 'many', 'halves'] + [f'cpu{c}' for c in cpus]
            order = order[run % len(order):] + order[:run % len(order)]
            got = {}
            for name in order:
                if name.startswith('cpu'):
                    got[name] = timed([one], cpu=int(name[3:]))
                else:
                    got[name] = timed({'one': [one], 'many': [many], 'halves': halves}[name])
            load_end = os.getloadavg()[0]
            (w1, c1, m1), (wn, cn, mn), (wh, ch, mh) = got['one'], got['many'], got['halves']
            scaling.append(w1 / wn)
            capacity.append(w1 / wh)
            cpu_cost.append(cn / c1)
            cores.append(cn / wn)
            loads += [load_start, load_end]
            other = None
            if None not in (m1, mn, mh):
                other = ((m1 - c1) + (mn - cn) + (mh - ch)) / (w1 + wn + wh)
                others.append(other)
            pinned = ''
            if cpus:
                walls = {c: got[f'cpu{c}'][0] for c in cpus}
                fastest = min(walls.values())
                for c in cpus:
                    per_cpu_rel[c].append(fastest / walls[c])
                share_of_sum.append((1 / wn) / sum(1 / w for w in walls.values()))
                pinned = '; pinned one-thread ' + ', '.join(f'CPU {c} {walls[c]:.3f} s' for c in cpus) + \
                         f'; --threads {n} = {share_of_sum[-1]:.2f} of their summed rates'
            print(f'  run {run + 1}: --threads 1 {w1:.3f} s, --threads {n} {wn:.3f} s ({w1 / wn:.2f} x), '
                  f'two processes {wh:.3f} s ({w1 / wh:.2f} x){pinned}; load average {load_start:.2f} -> {load_end:.2f}'
                  + ('' if other is None else f', rest of the machine {other:.2f} cores'))
        print(f'  wall --threads 1 / --threads {n}          {span(scaling)}')
        print(f'  wall one process / two at once (halves)  {span(capacity)}   (the free capacity)')
        print(f'  CPU --threads {n} / --threads 1            {span(cpu_cost, 3)}   (the pipeline\'s own cost)')
        print(f'  CPU / wall of --threads {n}                {span(cores)}   (cores it got)')
        print(f'  load average (1 min) during the runs     {span(loads)}')
        for c in cpus:
            print(f'  one thread on CPU {c} / on the fastest CPU   {span(per_cpu_rel[c])}')
        if cpus:
            print(f'  --threads {n} rate / sum of per-CPU rates  {span(share_of_sum)}   (1.0: every core fully used)')
        if others:
            print(f'  rest of the machine, cores busy          {span(others)}')


if __name__ == '__main__':
    main()
