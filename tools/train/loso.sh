#!/usr/bin/env bash
# Leave-one-source-out evaluation (tools/train/loso.py explains the folds):
# for each source family, train without it, convert, and score its held-out
# lines; then pool the folds into one cross-domain report.
#
#   tools/train/loso.sh [TRAINER OPTIONS...]
#     OUT=build/loso        where folds and dumps go
#     EPOCHS=4              epochs per fold (fewer than the shipped model's, to keep
#                           eleven trainings affordable; say so when quoting)
#     FAMILIES="a b,c"      only these folds (default: every family in data/by_source
#                           but `written`, which is fine-tuning text outside train.tsv);
#                           "b,c" leaves b and c out together (one training, both tested)
#     CAP=300               test lines per language per family
#     WRITERS=FILE          writers per language (language_prior.py) for the prior grid
#     STRENGTHS=1           prior strengths scored (the dump's columns; report: column 0);
#                           without WRITERS, 1 = the fold model's own prior (as trained)
#     TEMPERATURES=1        temperatures scored
#     THREADS=2
# Trainer options (after the script name) set the configuration, e.g.
#   tools/train/loso.sh --hidden 128 --quantize-dense --word-buckets 4000
# Output: $OUT/FAMILY/{train.log,pred.tsv,report.txt}, $OUT/report.txt.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
BUILD="${BUILD:-build}"
OUT="${OUT:-$BUILD/loso}"
EPOCHS="${EPOCHS:-4}"
CAP="${CAP:-300}"
THREADS="${THREADS:-2}"
STRENGTHS="${STRENGTHS:-1}"
TEMPERATURES="${TEMPERATURES:-1}"
for f in "$BUILD/train" "$BUILD/convert_model"; do
  [ -x "$f" ] || { echo "$f is missing: run make $f" >&2; exit 1; }
done
[ -f data/languages.tsv ] || { echo "data/ is missing: run make data" >&2; exit 1; }
FAMILIES="${FAMILIES:-$(ls data/by_source/*.train.tsv | sed 's|.*/||; s|\.train\.tsv$||' | grep -vx written | tr '\n' ' ')}"
writers=()
[ -n "${WRITERS:-}" ] && writers=(--writers "$WRITERS")

mkdir -p "$OUT"
dumps=()
for fam in $FAMILIES; do
  dir="$OUT/${fam//,/+}"
  mkdir -p "$dir"
  python3 tools/train/loso.py split "$fam" "$dir" --cap "$CAP"
  start=$(date +%s)
  first="${fam%%,*}"  # the trainer's --heldout (its own report is not used)
  "$BUILD/train" --train "$dir/train.tsv" --heldout "$dir/test.$first.tsv" --languages data/languages.tsv \
    --out "$dir" --threads "$THREADS" --epochs "$EPOCHS" --eval-limit 3000 "$@" > "$dir/train.log"
  "$BUILD/convert_model" "$dir/langid.npz" --spec "$dir/langid.spec" -o "$dir/langid.ffm" --force --quiet
  "$BUILD/train" evaluate --model "$dir/langid.ffm" "${writers[@]}" --strength "$STRENGTHS" \
    --temperature "$TEMPERATURES" --threads "$THREADS" --dump "$dir/pred.tsv" \
    $(for f in ${fam//,/ }; do echo "$f=$dir/test.$f.tsv"; done) > "$dir/score.txt"
  echo "fold $fam: $(grep -m1 '^training time' "$dir/report.txt"), wall $(( $(date +%s) - start )) s"
  rm -f "$dir/train.tsv" "$dir/langid.npz"
  dumps+=("$dir/pred.tsv")
done
python3 tools/train/loso.py report "${dumps[@]}" | tee "$OUT/report.txt"
