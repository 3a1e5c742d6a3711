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
CONFIG=(--seed 1 --buckets 1000,3000,5800,5800 --dims 16,16,16,16 --script-dims 8 --hidden 32
        --max-per-lang 12000 --chars-per-example 60 --noise 0.05)

# Pass 1 finds the untranslated English that the data's rule-based filter
# missed (short UI strings such as "Open file" inside other languages'
# catalogues): a training line of another language that a first model reads
# as confident English is dropped before the final training. Only train.tsv
# is cleaned this way; held-out lines keep their labels, so the evaluation is
# not tilted towards the model. Scots and English-based creoles are exempt.
TRAIN=data/train.tsv
if [ "${CLEAN:-1}" = 1 ] && [ -x "$BUILD/convert_model" ] && [ -x "$BUILD/langid" ]; then
  "$BUILD/train" --train data/train.tsv --heldout data/heldout.tsv --languages data/languages.tsv \
    --out "$OUT/pass1" --threads "$THREADS" --epochs 3 --eval-limit 20000 "${CONFIG[@]}"
  "$BUILD/convert_model" "$OUT/pass1/langid.npz" --spec "$OUT/pass1/langid.spec" -o "$OUT/pass1/langid.ffm" --force --quiet
  cut -f2 data/train.tsv | "$BUILD/langid" --model "$OUT/pass1/langid.ffm" > "$OUT/pass1/predicted.tsv"
  paste data/train.tsv "$OUT/pass1/predicted.tsv" | awk -F'\t' -v OFS='\t' '
    BEGIN { split("en sco pcm jam kri pis bis tpi srn hwc gul crs", e, " "); for (i in e) exempt[e[i]] = 1 }
    ($1 in exempt) || $3 != "en" || $4 < 0.6 { print $1, $2; next }
    { dropped[$1]++ }
    END { for (c in dropped) n += dropped[c]; printf "pass 1: dropped %d lines read as English from other languages\n", n > "/dev/stderr" }' \
    > "$OUT/train_clean.tsv"
  TRAIN="$OUT/train_clean.tsv"
fi

"$BUILD/train" \
  --train "$TRAIN" --heldout data/heldout.tsv --languages data/languages.tsv \
  --out "$OUT" --threads "$THREADS" --epochs "${EPOCHS:-12}" "${CONFIG[@]}"

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
