#!/usr/bin/env python3
"""`make bench-peers`: build/langid's line mode side by side with CLD2 (npm
"cld", native) and, where installed, fastText (lid.176.ftz in wasm), on the
same lines, in the same run; prints texts/s ratios.

usage: bench_peers.py [--langid build/langid] [--baseline OTHER_LANGID] [--peers-src ../shared/peers]
                      [--peers-dir build/peers] [--data data/heldout.tsv]
                      [--out build/bench-peers] [--runs 5] [--min-time 2]
                      [--threads-only]

1. The peers harness (run_peers.mjs, see its README) is used by path from
   --peers-dir; when that has no node_modules yet, --peers-src is copied
   there and `npm ci` installs it. Nothing of the harness is copied into
   this repository.
2. Lines: tools/bench/peer_lines.py makes about 50- and about 200-character
   lines from --data when it exists (`make data`), else from the harness's
   sample_udhr.tsv; the output says which.
3. For each line set, --runs runs of the harness with the peers cld2 and
   fasttext and the commands `langid --threads 1` and `langid --threads 2`.
   The harness times CLD2 and fastText in process (median pass) and each
   command end to end through pipes, start-up subtracted (its README).
   Every run gives the ratios of that run; the summary is their median
   and min-max.
4. Thread scaling without the harness: `langid --threads 1`, `--threads 2`
   and two `--threads 1` processes on the two halves at once alternate on
   the 50-character lines repeated into a file (no pipe, no Node.js
   process competing for the cores); ratios of wall times per round. The
   two processes show how much of a second core the machine had free:
   `--threads 2` cannot scale beyond that.
Ratios only: absolute figures depend on the machine and its load.
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_lines  # noqa: E402


def summary(values):
    values = [v for v in values if v is not None]
    if not values:
        return 'n/a'
    return f'{statistics.median(values):.2f} [{min(values):.2f}-{max(values):.2f}]'


def ensure_harness(peers_dir, peers_src):
    if os.path.isdir(os.path.join(peers_dir, 'node_modules')):
        return
    if not os.path.isfile(os.path.join(peers_src, 'run_peers.mjs')):
        sys.exit(f'bench_peers: no peers harness in {peers_src} (set PEERS_SRC) or {peers_dir} (set PEERS_DIR)')
    print(f'bench_peers: copying {peers_src} to {peers_dir} and running npm ci there', flush=True)
    shutil.copytree(peers_src, peers_dir, dirs_exist_ok=True)
    subprocess.run(['npm', 'ci'], cwd=peers_dir, check=True)


def texts_per_second(result, name):
    for peer in result['peers']:
        if peer['name'] == name:
            return peer.get('textsPerSec')
    return None


def harness_runs(args, line_set, langid, langs_file):
    path = os.path.join(args.out, line_set + '.tsv')
    rows = []
    for r in range(1, args.runs + 1):
        json_path = os.path.join(args.out, f'{line_set}.run{r}.json')
        command = ['node', os.path.join(args.peers_dir, 'run_peers.mjs'), path, '--peers', 'cld2,fasttext',
                   '--cmd', f'langid-t1={langid} --threads 1', '--cmd', f'langid-t2={langid} --threads 2',
                   '--cmd-langs', f'langid-t1={langs_file}', '--cmd-langs', f'langid-t2={langs_file}',
                   *([] if not args.baseline else ['--cmd', f'base-t1={os.path.abspath(args.baseline)} --threads 1',
                                                   '--cmd-langs', f'base-t1={langs_file}']),
                   '--min-time', str(args.min_time), '--json', json_path]
        with open(os.path.join(args.out, f'{line_set}.run{r}.txt'), 'w') as log:
            subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, check=True)
        with open(json_path) as f:
            result = json.load(f)
        for failed in result.get('failed', []):
            print(f'  run {r}: {failed["name"]} FAILED: {failed["error"].splitlines()[0]}')
        row = {name: texts_per_second(result, name) for name in ('cld2', 'fasttext', 'langid-t1', 'langid-t2', 'base-t1')}
        rows.append(row)
        print(f'  run {r}: texts/s ' + ', '.join(f'{k} {v:,.0f}' if v else f'{k} -' for k, v in row.items()),
              flush=True)
    return rows


def ratio(a, b):
    return a / b if a and b else None


def thread_scaling(args, langid):
    """Alternating runs on a file: --threads 1, --threads 2, and two
    --threads 1 processes on the two halves at once. The last shows how much
    of a second core the machine has free at that moment."""
    with open(os.path.join(args.out, 'lines50.tsv'), encoding='utf-8') as f:
        texts = [line.split('\t', 1)[1] for line in f]
    copies = max(1, 200000 // max(1, len(texts)))
    files = {}
    for name, part in (('all', texts * copies), ('half1', (texts * copies)[:len(texts) * copies // 2]),
                       ('half2', (texts * copies)[len(texts) * copies // 2:])):
        files[name] = os.path.join(args.out, f'lines50_{name}.txt')
        with open(files[name], 'w', encoding='utf-8') as f:
            f.writelines(part)
    lines = copies * len(texts)

    def start(threads, name):
        src = open(files[name], 'rb')
        p = subprocess.Popen([langid, '--threads', str(threads)], stdin=src, stdout=subprocess.DEVNULL)
        src.close()
        return p

    def wall(*runs):
        """Wall time of the runs started together, and their CPU time."""
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        procs = [start(threads, name) for threads, name in runs]
        for p in procs:
            if p.wait() != 0:
                sys.exit('bench_peers: langid failed')
        elapsed = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        return elapsed, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)

    wall((1, 'all'))  # warm the page cache
    out = {'scaling': [], 'capacity': [], 't1': [], 'cpu': [], 'parallel': []}
    for _ in range(args.runs):
        one, one_cpu = wall((1, 'all'))
        two, two_cpu = wall((2, 'all'))
        halves, _ = wall((1, 'half1'), (1, 'half2'))
        out['scaling'].append(one / two)
        out['capacity'].append(one / halves)
        out['t1'].append(one)
        out['cpu'].append(two_cpu / one_cpu)
        out['parallel'].append(two_cpu / two)
    return lines, out


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--langid', default='build/langid')
    p.add_argument('--peers-src', default='../shared/peers')
    p.add_argument('--peers-dir', default='build/peers')
    p.add_argument('--data', default='data/heldout.tsv')
    p.add_argument('--out', default='build/bench-peers')
    p.add_argument('--runs', type=int, default=5)
    p.add_argument('--min-time', type=float, default=2)
    p.add_argument('--baseline', help='another langid build (e.g. of main) run as "base-t1" in the same runs')
    p.add_argument('--threads-only', action='store_true', help='only the thread scaling from a file (step 4)')
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    langid = os.path.abspath(args.langid)
    ensure_harness(args.peers_dir, args.peers_src)
    source = args.data if os.path.isfile(args.data) else os.path.join(args.peers_dir, 'sample_udhr.tsv')
    if peer_lines.main(['peer_lines.py', source, args.out]) != 0:
        sys.exit(1)
    langs_file = os.path.join(os.path.abspath(args.out), 'langid_languages.txt')
    listing = subprocess.run([langid, '--list'], capture_output=True, text=True, check=True).stdout
    with open(langs_file, 'w') as f:
        f.writelines(line.split('\t')[0] + '\n' for line in listing.splitlines())
    print(f'machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start')

    results = {}
    for line_set in () if args.threads_only else ('lines50', 'lines200'):
        print(f'== {line_set}: {args.runs} harness runs', flush=True)
        results[line_set] = harness_runs(args, line_set, os.path.abspath(args.langid), langs_file)
    print('== thread scaling from a file', flush=True)
    lines, scaling = thread_scaling(args, langid)

    print(f'\nbench-peers: texts/s ratios, median [min-max] of {args.runs} runs (each ratio within one run);'
          f' load average {os.getloadavg()[0]:.2f} at the end')
    for line_set, rows in results.items():
        print(f'  {line_set}:')
        print(f'    langid --threads 1 / CLD2          {summary([ratio(r["langid-t1"], r["cld2"]) for r in rows])}')
        print(f'    langid --threads 1 / fastText      {summary([ratio(r["langid-t1"], r["fasttext"]) for r in rows])}')
        print(f'    langid --threads 2 / --threads 1   {summary([ratio(r["langid-t2"], r["langid-t1"]) for r in rows])}')
        if args.baseline:
            print(f'    baseline --threads 1 / CLD2        {summary([ratio(r["base-t1"], r["cld2"]) for r in rows])}')
            print(f'    langid / baseline (--threads 1)    {summary([ratio(r["langid-t1"], r["base-t1"]) for r in rows])}')
        print('    (texts/s medians on this machine: ' +
              ', '.join(f'{k} {statistics.median([r[k] for r in rows if r[k]]):,.0f}'
                        for k in ('cld2', 'fasttext', 'langid-t1', 'langid-t2', 'base-t1') if any(r[k] for r in rows)) + ')')
    print(f'  thread scaling, {lines:,} lines of lines50 from a file, {args.runs} alternating rounds:')
    print(f'    langid --threads 2 / --threads 1   {summary(scaling["scaling"])}'
          f'   (--threads 1: {statistics.median([lines / t for t in scaling["t1"]]):,.0f} texts/s median)')
    print(f'    two --threads 1 processes on the halves at once / one on all   {summary(scaling["capacity"])}'
          f'   (the second core the machine had free)')
    print(f'    CPU time of --threads 2 / --threads 1   {summary(scaling["cpu"])}   (the cost of the pipeline)')
    print(f'    CPU time / wall time of --threads 2     {summary(scaling["parallel"])}   (the cores it got)')

if __name__ == '__main__':
    main()
