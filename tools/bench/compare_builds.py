#!/usr/bin/env python3
"""Two (or more) langid builds side by side on the same input: each run
feeds INPUT to every build in turn (`--threads 1`, output discarded) and
records its CPU time (user + system, from the kernel's accounting of the
child), so other jobs on a shared machine change the ratios less than wall
times would. Prints the median [min-max] CPU time of each build and the
median [min-max] of the per-run ratios first build / this build (> 1: this
build is faster). Everything runs on the CPU this script starts on (the
children inherit it): the two vCPUs of a shared VM can differ in speed by
1.3-1.5x for the same code.

usage: compare_builds.py INPUT RUNS BUILD [BUILD...]

Example (a build of main against this tree, on the bench-peers lines):
  python3 tools/bench/compare_builds.py build/bench-peers/lines50_all.txt 9 /tmp/langid-main build/langid
"""
import os
import resource
import statistics
import subprocess
import sys


def cpu_seconds(build, path):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(path, 'rb') as src:
        subprocess.run([build, '--threads', '1'], stdin=src, stdout=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def span(values, fmt):
    return f'{fmt.format(statistics.median(values))} [{fmt.format(min(values))}-{fmt.format(max(values))}]'


def main(argv):
    if len(argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    path, runs, builds = argv[1], int(argv[2]), argv[3:]
    with open('/proc/self/stat') as f:
        cpu = int(f.read().rsplit(')', 1)[1].split()[36])  # field 39: the CPU it last ran on
    os.sched_setaffinity(0, {cpu})
    times = {b: [] for b in builds}
    for _ in range(runs):
        for b in builds:
            times[b].append(cpu_seconds(b, path))
    lines = sum(1 for _ in open(path, 'rb'))
    print(f'{path}: {lines} lines, {runs} runs on CPU {cpu}, load average {os.getloadavg()[0]:.2f} at the end')
    for b in builds:
        ratios = [t0 / t for t0, t in zip(times[builds[0]], times[b])]
        print(f'  {b:32s} CPU {span(times[b], "{:.3f}")} s   {builds[0]} / this {span(ratios, "{:.2f}")}')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
