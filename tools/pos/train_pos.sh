#!/usr/bin/env bash
# Retrains the shipped English part-of-speech tagger with the chosen
# configuration (tools/pos/EXPERIMENTS.md says how it was chosen), converts
# it and evaluates it on the held-out Brown documents.
#
#   build/train_pos, build/convert_model, build/postag   (make builds them)
#   data/pos/{train,dev,test}.tsv                          (make data-pos)
#   -> $OUT/pos-en.{npz,spec,words.txt}, train.txt, dev-eval.txt, test-eval.txt
#      (OUT defaults to build/pos-model)
#   -> models/pos-en.ffm, models/pos-en.spec, models/pos-en.words.txt unless INSTALL=0
#
# Deterministic (one thread, fixed seed): the same data give the same bytes.
# About 5 minutes on one idle core.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
BUILD="${BUILD:-build}"
OUT="${OUT:-$BUILD/pos-model}"
INSTALL="${INSTALL:-1}"

for f in data/pos/train.tsv data/pos/dev.tsv data/pos/test.tsv; do
  [ -f "$f" ] || { echo "$f is missing: run 'make data-pos' first" >&2; exit 1; }
done
for p in train_pos convert_model; do
  [ -x "$BUILD/$p" ] || { echo "$BUILD/$p is missing: run 'make $BUILD/$p'" >&2; exit 1; }
done

# The chosen configuration (EXPERIMENTS.md).
CONFIG=(--seed 1 --vocab 5000 --min-count 2 --oov-buckets 64 --word-dims 24 --word-window -2,-1,0,1,2
        --affix 3 --affix-buckets 1000 --affix-dims 10 --suffix-window -1,0,1 --prefix-window 0
        --shape-dims 8 --shape-window -2,-1,0,1,2 --ngram-order 3 --ngram-buckets 3000 --ngram-dims 12
        --prev-dims 8 --prev-window -2,-1 --hidden 32 --float-dense --epochs 3 --batch 32 --lr 0.002)

mkdir -p "$OUT"
"$BUILD/train_pos" --train data/pos/train.tsv --dev data/pos/dev.tsv -o "$OUT/pos-en" "${CONFIG[@]}" \
  2> >(tee "$OUT/train.txt" >&2)
"$BUILD/convert_model" "$OUT/pos-en.npz" --spec "$OUT/pos-en.spec" -o "$OUT/pos-en.ffm" --force
if [ -x "$BUILD/postag" ]; then
  "$BUILD/postag" --model "$OUT/pos-en.ffm" --eval data/pos/dev.tsv > "$OUT/dev-eval.txt"
  "$BUILD/postag" --model "$OUT/pos-en.ffm" --eval data/pos/test.tsv > "$OUT/test-eval.txt"
  head -3 "$OUT/test-eval.txt"
fi
if [ "$INSTALL" = 1 ]; then
  cp "$OUT/pos-en.ffm" models/pos-en.ffm
  sed "s#^vocab_file = .*#vocab_file = pos-en.words.txt#" "$OUT/pos-en.spec" > models/pos-en.spec
  cp "$OUT/pos-en.words.txt" models/pos-en.words.txt
  echo "installed models/pos-en.ffm ($(wc -c < models/pos-en.ffm) bytes); rebuild build/postag to embed it"
fi
