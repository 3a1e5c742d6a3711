#!/usr/bin/env bash
# The shipped recipe's cross-domain fold: train_langid.sh's whole recipe
# (langid_config.sh: 8 epochs, the fine-tuning phase, Serbian Latin, the
# neighbour words), with one set of source families left out of everything
# -- training text, fine-tuning files, word counts -- and scored on their
# held-out lines (tools/train/loso.py). The 8 epochs are trained once (the
# base, temperature 1); the phase is trained on top of it once per seed, as
# train_langid.sh's INIT=... EPOCHS=0 does, so three seeds cost one base.
# Each phase averages FINETUNE_AVERAGE runs (seeds S..S+FINETUNE_AVERAGE-1),
# so the default seeds 1, 1+A, 1+2A share no run.
#
#   tools/train/loso_recipe.sh
#     FOLD=games,fortunes,bible   families left out together
#     OUT=build/loso_recipe       fold folder (base/, s1/, s2/, ...)
#     SEEDS="1 4 7"               the phases' first seeds (default 1, 1+A, 1+2A)
#     NAME=shipped                the variant's name: its words and scores go in OUT/NAME/
#     NB_ARGS="..."               extra neighbour_words.py options for this variant
#     NEIGHBOURS=0                score the phase models without neighbour words
#     LEXICON=0                   ... without the lexicon head
#     LEX_ARGS="..."              extra lexicon_words.py options for this variant
#     PHASE_TAG=t3                names the phases of a variant whose fine-tuning
#                                 differs (e.g. TRANSLATED_WEIGHT=3), so they are
#                                 not taken for the shipped ones
#     CAP=300 THREADS=2
# The base is kept (OUT/base/langid.npz) and reused; delete it to retrain.
# Output: OUT/NAME/s<seed>/{pred.tsv,report.txt}, OUT/NAME/report.txt
# (one line per seed and the mean: accuracy on 50+ and <= 40 characters).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
BUILD="${BUILD:-build}"
FOLD="${FOLD:-games,fortunes,bible}"
OUT="${OUT:-$BUILD/loso_recipe}"
NAME="${NAME:-shipped}"
CAP="${CAP:-300}"
THREADS="${THREADS:-2}"
for f in "$BUILD/train" "$BUILD/convert_model"; do
  [ -x "$f" ] || { echo "$f is missing: run make $f" >&2; exit 1; }
done
[ -f data/languages.tsv ] || { echo "data/ is missing: run make data" >&2; exit 1; }
source tools/train/langid_config.sh
SEEDS="${SEEDS:-1 $((1 + FINETUNE_AVERAGE)) $((1 + 2 * FINETUNE_AVERAGE))}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
log() { printf '[loso_recipe %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

left_out=" ${FOLD//,/ } "
kept() { [[ "$left_out" != *" $1 "* ]]; }

# The fold's text: its train.tsv (every family but the left-out ones) plus
# Serbian Latin from its own Cyrillic lines.
if [ ! -f "$OUT/train_all.tsv" ]; then
  python3 tools/train/loso.py split "$FOLD" "$OUT" --cap "$CAP"
  python3 tools/corpus/serbian_latin.py --data data -o "$OUT/serbian_latin.tsv" --exclude "$FOLD"
  cat "$OUT/train.tsv" "$OUT/serbian_latin.tsv" > "$OUT/train_all.tsv"
fi
tests=()
for fam in ${FOLD//,/ }; do tests+=("$fam=$OUT/test.$fam.tsv"); done
first="${FOLD%%,*}"

CLDR_DIR="$(bash tools/train/fetch_cldr.sh)"
python3 tools/train/language_prior.py --cldr "$CLDR_DIR" --languages data/languages.tsv -o "$OUT/writers.tsv"
langid_config "$OUT/writers.tsv" "fold $FOLD"

if [ ! -f "$OUT/base/langid.npz" ]; then
  log "base: 8 epochs without $FOLD"
  mkdir -p "$OUT/base"
  "$BUILD/train" --train "$OUT/train_all.tsv" --heldout "$OUT/test.$first.tsv" --languages data/languages.tsv \
    --out "$OUT/base" --threads "$THREADS" --epochs 8 --eval-limit 3000 "${CONFIG[@]}" --temperature 1 \
    > "$OUT/base/train.log"
fi

FT_FILES=""
for fam in $(finetune_families); do
  kept "$fam" && FT_FILES="$FT_FILES${FT_FILES:+,}$(finetune_file "$fam")"
done
NB_FILES=("$OUT/serbian_latin.tsv")  # as train_langid.sh: one file per kept source family
# shellcheck disable=SC2086
python3 tools/train/written_rounds.py --data data --out "$OUT/written_counted.tsv" $NEIGHBOUR_ROUNDS
for f in data/by_source/*.train.tsv; do
  fam=$(basename "$f" .train.tsv)
  # the written family (never left out) with the unused written rounds
  if [ "$fam" = written ]; then f="$OUT/written_counted.tsv"; fi
  if kept "$fam"; then NB_FILES+=("$f"); fi
done

mkdir -p "$OUT/$NAME"
if [ "${NEIGHBOURS:-1}" = 1 ]; then
  # shellcheck disable=SC2086
  # --labels-from: a language whose text was all left out is no label of the
  # fold's model, so it leaves its group (sc with education left out).
  python3 tools/train/neighbour_words.py "${NEIGHBOUR_OPTIONS[@]}" --seed 2001 --labels-from "$OUT/base/langid.spec" ${NB_ARGS:-} \
    --out "$OUT/$NAME/langid.neighbours.tsv" "${NB_FILES[@]}" > "$OUT/$NAME/neighbours.spec"
fi
if [ "${LEXICON:-1}" = 1 ]; then
  # The written family is in every fold (it is never left out), so is its lexicon.
  # shellcheck disable=SC2086
  python3 tools/train/lexicon_words.py --data data --labels-from "$OUT/base/langid.spec" --seed 2001 \
    "${LEXICON_OPTIONS[@]}" ${LEX_ARGS:-} --out "$OUT/$NAME/langid.lexicon.tsv" > "$OUT/$NAME/lexicon.spec"
fi
: > "$OUT/$NAME/report.txt"
for seed in $SEEDS; do
  phase="$OUT/phase_s$seed${PHASE_TAG:+_$PHASE_TAG}"
  if [ "$FINETUNE_AVERAGE" != 1 ]; then phase="${phase}_avg$FINETUNE_AVERAGE"; fi
  if [ ! -f "$phase/langid.npz" ]; then
    log "phase, seed $seed"
    "$BUILD/train" --train "$OUT/train_all.tsv" --heldout "$OUT/test.$first.tsv" --languages data/languages.tsv \
      --out "$phase" --threads "$THREADS" --epochs 0 --eval-limit 3000 "${CONFIG[@]}" --seed "$seed" \
      --init "$OUT/base/langid.npz" --finetune "$FT_FILES" "${FINETUNE_OPTIONS[@]}" > "$phase.log"
  fi
  dir="$OUT/$NAME/s$seed"
  mkdir -p "$dir"
  cp "$phase/langid.spec" "$dir/langid.spec"
  if [ "${NEIGHBOURS:-1}" = 1 ]; then
    cp "$OUT/$NAME/langid.neighbours.tsv" "$dir/"
    { echo; cat "$OUT/$NAME/neighbours.spec"; } >> "$dir/langid.spec"
  fi
  if [ "${LEXICON:-1}" = 1 ]; then
    cp "$OUT/$NAME/langid.lexicon.tsv" "$dir/"
    { echo; cat "$OUT/$NAME/lexicon.spec"; } >> "$dir/langid.spec"
  fi
  "$BUILD/convert_model" "$phase/langid.npz" --spec "$dir/langid.spec" -o "$dir/langid.ffm" --force --quiet
  "$BUILD/train" evaluate --model "$dir/langid.ffm" --strength 1 --threads "$THREADS" --dump "$dir/pred.tsv" \
    "${tests[@]}" > "$dir/score.txt"
  python3 tools/train/loso.py report "$dir/pred.tsv" > "$dir/report.txt"
  # the pooled running-text line: lines, all, 50+, <=40
  awk -v s="s$seed" '/^running-text families/ { printf "%s  50+ %s  <=40 %s\n", s, $5, $6 }' "$dir/report.txt" \
    | tee -a "$OUT/$NAME/report.txt"
done
awk '{ a += $3; b += $5; n++ } END { printf "mean  50+ %.2f  <=40 %.2f  (%d seeds)\n", a / n, b / n, n }' \
  "$OUT/$NAME/report.txt" | tee -a "$OUT/$NAME/report.txt"
