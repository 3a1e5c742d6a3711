#!/usr/bin/env python3
"""dask_langid.py: label the language of every line of a partitioned text
dataset on a Dask cluster, with the ffnlp Python package.

    python3 examples/dask_langid.py DATASET_DIR [--workers 2] [--threads 1]
                                    [--pattern '*.txt'] [--model langid.ffm]
                                    [--scheduler tcp://host:8786]

DATASET_DIR holds the partitions (files matching --pattern, one text per
line). For each partition PART.txt the job writes PART.txt.langid.tsv next to
it, one line per input line, in the same order:

    LANGUAGE<TAB>PROBABILITY<TAB>RELIABLE(0/1)

Without --scheduler it starts a LocalCluster (worker processes, no
dashboard). Every worker loads the model once, when it starts (a Dask worker
plugin), and labels its partitions with Model.classify_batch on --threads
native threads (GIL released). Lines are passed to the runtime as bytes
(invalid UTF-8 is not an error); a trailing CR is dropped. Prints lines/s and
how many times each worker loaded the model. Needs dask and distributed
(Debian: python3-dask python3-distributed) and the ffnlp package.
"""
import argparse
import glob
import os
import sys
import time

import ffnlp
from distributed import Client, LocalCluster, WorkerPlugin, get_worker

PLUGIN = "ffnlp-model"
CHUNK_LINES = 65536


class LoadModel(WorkerPlugin):
    """Loads the model once per worker process, when the worker starts."""

    name = PLUGIN

    def __init__(self, model_path=None):
        self.model_path = model_path
        self.model = None
        self.loads = 0

    def setup(self, worker):
        self.model = ffnlp.Model(self.model_path) if self.model_path else ffnlp.Model()
        self.loads += 1


def label_partition(path, threads):
    """Labels one partition file; writes PATH.langid.tsv. Runs on a worker."""
    plugin = get_worker().plugins[PLUGIN]
    model = plugin.model
    out_path = path + ".langid.tsv"
    tmp_path = out_path + ".tmp"
    lines = 0
    start = time.perf_counter()

    def flush(chunk, out):
        if not chunk:
            return
        rows = ["%s\t%.4f\t%d" % (r[0].language, r[0].probability, r[0].is_reliable) if r else "und\t0.0000\t0"
                for r in model.classify_batch(chunk, 1, threads=threads)]
        out.write(("\n".join(rows) + "\n").encode("utf-8"))

    with open(path, "rb") as f, open(tmp_path, "wb") as out:
        chunk = []
        for line in f:
            if line.endswith(b"\n"):
                line = line[:-1]
            if line.endswith(b"\r"):
                line = line[:-1]
            chunk.append(line)
            if len(chunk) == CHUNK_LINES:
                flush(chunk, out)
                lines += len(chunk)
                chunk = []
        flush(chunk, out)
        lines += len(chunk)
    os.replace(tmp_path, out_path)  # a partition's result appears whole or not at all
    return {"path": path, "lines": lines, "seconds": time.perf_counter() - start,
            "pid": os.getpid(), "model": id(model)}


def model_loads(dask_worker):
    return dask_worker.plugins[PLUGIN].loads


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", help="folder of partition files, one text per line")
    parser.add_argument("--pattern", default="*.txt", help="partition file names (default: *.txt)")
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=1, help="native threads per worker (default 1)")
    parser.add_argument("--model", help="an .ffm model file on every worker (default: the built-in model)")
    parser.add_argument("--scheduler", help="address of a running Dask scheduler instead of a LocalCluster")
    args = parser.parse_args(argv)

    parts = sorted(p for p in glob.glob(os.path.join(args.dataset, args.pattern)) if not p.endswith(".langid.tsv"))
    if not parts:
        sys.exit("dask_langid: no partitions matching %s in %s" % (args.pattern, args.dataset))
    parts = [os.path.abspath(p) for p in parts]

    cluster = None
    if args.scheduler:
        client = Client(args.scheduler)
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        client.register_worker_plugin(LoadModel(os.path.abspath(args.model) if args.model else None), name=PLUGIN)
        start = time.perf_counter()
        futures = client.map(label_partition, parts, threads=args.threads, pure=False)
        done = client.gather(futures)
        wall = time.perf_counter() - start
        loads = client.run(model_loads)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

    lines = sum(d["lines"] for d in done)
    for d in done:
        print("%s: %d lines in %.2f s (worker pid %d)" % (os.path.basename(d["path"]), d["lines"], d["seconds"],
                                                        d["pid"]))
    print("model loads per worker: %s" % ", ".join("%s=%d" % (w, n) for w, n in sorted(loads.items())))
    models_per_worker = {}
    for d in done:
        models_per_worker.setdefault(d["pid"], set()).add(d["model"])
    print("models used per worker process: %s" % ", ".join(
        "%d=%d" % (pid, len(ids)) for pid, ids in sorted(models_per_worker.items())))
    print("%d partitions, %d lines in %.2f s: %.0f lines/s" % (len(done), lines, wall, lines / wall if wall else 0))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
