#!/usr/bin/env bash
# Retrains the shipped language identifier with the chosen configuration
# (see tools/train/EXPERIMENTS.md for how it was chosen) and converts it.
# The spec's licence line is summarised from the licence column of
# data/languages.tsv.
#
#   build/train                    the trainer (make builds it)
#   data/{train,heldout,languages}.tsv   made by `make data`
#   -> $OUT/langid.npz, langid.spec, report.txt   (OUT defaults to build/model;
#      not build/train, which is the trainer binary)
#   -> $OUT/langid.ffm             when build/convert_model exists
#   -> models/langid.ffm + models/langid.spec   unless INSTALL=0
#
# Deterministic: same data and seed give byte-identical outputs (also with
# THREADS=1). About 4 minutes on 2 idle cores (~6 minutes with THREADS=1
# while another job runs).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
BUILD="${BUILD:-build}"
OUT="${OUT:-$BUILD/model}"
THREADS="${THREADS:-2}"
INSTALL="${INSTALL:-1}"

for f in data/train.tsv data/heldout.tsv data/languages.tsv; do
  [ -f "$f" ] || { echo "$f is missing: run 'make data' first" >&2; exit 1; }
done
[ -x "$BUILD/train" ] || { echo "$BUILD/train is missing: run 'make $BUILD/train'" >&2; exit 1; }

# The chosen configuration (EXPERIMENTS.md). Keep in sync with the trainer's
# defaults, which are the same values.
"$BUILD/train" \
  --train data/train.tsv --heldout data/heldout.tsv --languages data/languages.tsv \
  --out "$OUT" --threads "$THREADS" --seed 1 \
  --epochs 8 --buckets 1000,3000,5800,5800 --dims 16,16,16,16 --script-dims 8 --hidden 32 \
  --max-per-lang 12000 --noise 0.05

if [ -x "$BUILD/convert_model" ]; then
  "$BUILD/convert_model" "$OUT/langid.npz" --spec "$OUT/langid.spec" -o "$OUT/langid.ffm" --force
  if [ "$INSTALL" = 1 ]; then
    mkdir -p models
    cp "$OUT/langid.ffm" models/langid.ffm
    cp "$OUT/langid.spec" models/langid.spec
    echo "installed models/langid.ffm ($(wc -c < models/langid.ffm) bytes) and models/langid.spec"
  fi
else
  echo "note: $BUILD/convert_model not built; skipped conversion" >&2
fi
