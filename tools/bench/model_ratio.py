#!/usr/bin/env python3
"""Two model files side by side in one run: the CPU time of
`build/bench --profile CLASS` (classify() over one text class, nothing else)
for model B over model A, per text class.

usage: model_ratio.py A.ffm B.ffm [--data FILE] [--runs N] [--bench PATH]

Each run times A and B one after the other (the order swapped every run),
each as its CPU time with PASSES passes minus its CPU time with one pass (so
start-up, reading the texts and loading the model do not count), and takes
B / A. CPU time (user + sys of the child) moves less than wall time when
other jobs share the cores. Prints the median and the min-max of the runs'
ratios per class. --data as for build/bench (default data/heldout.tsv; the
bench's built-in sample when it is missing, too small to time).
"""
import argparse
import resource
import statistics
import subprocess

PASSES = {'short': 500, 'ui50': 300, 'medium': 150, 'long': 200}


def cpu_seconds(bench, model, data, cls, passes):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([bench, '--model', model, '--data', data, '--profile', cls, '--profile-passes', str(passes)],
                   check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('a')
    ap.add_argument('b')
    ap.add_argument('--data', default='data/heldout.tsv')
    ap.add_argument('--runs', type=int, default=11)
    ap.add_argument('--bench', default='build/bench')
    o = ap.parse_args()
    for cls, passes in PASSES.items():
        ratios = []
        for run in range(o.runs):
            t = {}
            for model in ((o.a, o.b) if run % 2 == 0 else (o.b, o.a)):
                t[model] = (cpu_seconds(o.bench, model, o.data, cls, passes) -
                            cpu_seconds(o.bench, model, o.data, cls, 1))
            ratios.append(t[o.b] / t[o.a])
        print('%-6s B / A: median %.3f [%.3f-%.3f] over %d runs (%d passes)' %
              (cls, statistics.median(ratios), min(ratios), max(ratios), o.runs, passes), flush=True)


if __name__ == '__main__':
    main()
