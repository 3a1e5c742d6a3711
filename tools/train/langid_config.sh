# The shipped language identifier's training recipe, sourced by
# train_langid.sh (the model) and loso_recipe.sh (its cross-domain fold), so
# that both train exactly the same thing. Sets:
#   langid_config PRIOR_TSV LICENSE   -> CONFIG (trainer options)
#   FINETUNE_FAMILIES                 the fine-tuning phase's data/by_source families
#   WRITTEN_WEIGHT, FINETUNE_OPTIONS  how the phase draws from them
#   FINETUNE_AVERAGE                  phases averaged into the model
#   NEIGHBOUR_OPTIONS                 tools/train/neighbour_words.py's options
#   NEIGHBOUR_ROUNDS                  written rounds counted with the written family
#   LEXICON_OPTIONS                   tools/train/lexicon_words.py's options

# The chosen configuration (EXPERIMENTS.md, "Everyday text"), with the
# hashed tables (n-grams, words) stored 4-bit with bfloat16 scales: twice
# the 8-bit tables' rows in the same 409,600 bytes (EXPERIMENTS.md, "4-bit
# tables" and "bfloat16 scales"). The 2-, 3- and 4-gram and word tables are
# each read twice, with a second seed (--second-hash; EXPERIMENTS.md,
# "Second hashes"): a feature whose row collides under one seed seldom
# collides under the other. The wider input (160) costs 8 KB of hidden
# layer, paid with 1,000 table rows. --cleanup-laughter (text.cleanup = 2):
# laughter (haha, jajaja, lol) is skipped with URLs and markup; it pulled
# chat messages to whichever language's text held it (EXPERIMENTS.md,
# "Laughter"). The 3- and 4-gram tables are stored 3-bit (q3_row_bf16: a
# 16-wide row in 8 bytes instead of 10), which buys them 1.25x the rows
# (8,875), and every hashed table is trained as it is stored (--qat: the
# forward pass reads the rounded rows): held-out +0.3 and short lines of both
# cross-domain folds +0.6 to +0.7 (EXPERIMENTS.md, "3 bits for the 3- and
# 4-gram tables only"). Answers to texts of fewer than 12 letters are
# reliable only from probability 0.95 (0.85 otherwise): at 0.85 those marked
# on held-out texts of 6-11 letters were right 90-96 % of the time
# (EXPERIMENTS.md, "A stricter bar for short texts").
langid_config() {
  CONFIG=(--seed 1 --buckets 1000,5800,8875,8875 --dims 16,16,16,16 --script-dims 8 --word-buckets 5800 --word-dims 16
          --second-hash 2,3,4,0
          --embedding-bits 4 --ngram-bits 4,4,3,3 --qat --embedding-scales bf16 --hidden 128 --quantize-dense
          --max-per-lang 12000 --chars-per-example 60 --rich-quota 12000 --noise 0.05 --cleanup-laughter
          --temperature 0.8 --reliable-probability 0.85 --reliable-short 12,0.95 --max-file-bytes 409600
          --span-mix 0.15,0.45,0.25 --han-variant-dims 8
          --prior "$1" --prior-strength 0.1 --license "$2")
  # VARIANT=large (make model-large): the same recipe with 8x the 8-bit
  # model's hashed rows, every table 4-bit with bfloat16 scales (and --qat),
  # about 1.1 MB, for users who can afford the size (EXPERIMENTS.md,
  # "Capacity: a 2 MB variant", "bfloat16 scales" and "The large variant
  # retrained"); not shipped in models/.
  if [ "${VARIANT:-}" = large ]; then
    CONFIG+=(--buckets 2000,20000,25000,25000 --ngram-bits 4,4,4,4 --word-buckets 30000 --max-file-bytes "$(langid_budget)")
  fi
  # Experiments only: CONFIG_EXTRA="--word-buckets 30000 ..." is appended
  # (the last of a repeated trainer option wins).
  # shellcheck disable=SC2206
  CONFIG+=(${CONFIG_EXTRA:-})
}

# The converted file's size limit: issue 9's 400 KB, or the large variant's.
langid_budget() {
  if [ "${VARIANT:-}" = large ]; then echo 1228800; else echo 409600; fi
}

# The fine-tuning phase after the 8 epochs (EXPERIMENTS.md, "A fine-tuning
# phase after the 8 epochs", run FB3): a quarter epoch in which every
# language keeps its share of examples and those with short everyday text
# (word lists, CLDR strings, subtitle words, everyday phrases, fortunes)
# draw three quarters of theirs from it.
# The `written` family (everyday sentences written for the project; outside
# train.tsv, tools/corpus/README.md) joins the phase listed WRITTEN_WEIGHT
# times: a language's fine-tuning lines are drawn uniformly, so each listing
# is one more copy of them among its word-list and CLDR lines (EXPERIMENTS.md,
# "Written everyday sentences in the fine-tuning phase"). Experiments only:
# WRITTEN_WEIGHT=N lists it N times instead.
FINETUNE_FAMILIES="everyday subtitle-words wordlists cldr fortunes"
WRITTEN_WEIGHT="${WRITTEN_WEIGHT:-30}"
# The `translated` family (a close neighbour's text carried over by Apertium,
# tools/corpus/translated.py; fine-tuning only) is listed TRANSLATED_WEIGHT
# times.
TRANSLATED_WEIGHT="${TRANSLATED_WEIGHT:-0}"
# The phase's families, each listed as often as it weighs.
finetune_families() {
  echo $FINETUNE_FAMILIES
  for _ in $(seq 1 "$WRITTEN_WEIGHT"); do echo written; done
  for _ in $(seq 1 "$TRANSLATED_WEIGHT"); do echo translated; done
}
# A fine-tuning family's file (`translated` lives outside data/by_source;
# experiments only: WRITTEN_FILE=F replaces the `written` family's file).
finetune_file() {
  case "$1" in
    translated) echo "${TRANSLATED_FILE:-data/translated.tsv}" ;;
    written) echo "${WRITTEN_FILE:-data/by_source/written.train.tsv}" ;;
    *) echo "data/by_source/$1.train.tsv" ;;
  esac
}
# The phase runs FINETUNE_AVERAGE times from the same 8 epochs, with the
# random streams of seeds 1, 2, 3, and the model is the mean of the three
# results' weights (EXPERIMENTS.md, "Averaging fine-tuning phases"): as good
# as the average phase or better on every measure, and no longer a draw of
# one seed.
FINETUNE_AVERAGE=3
FINETUNE_OPTIONS=(--finetune-size 0.25 --finetune-epochs 1 --finetune-lr 0.001 --finetune-replay 0.25
                  --finetune-average "$FINETUNE_AVERAGE")
# Experiments only: FINETUNE_EXTRA="--finetune-size 0.5 ..." is appended, as
# CONFIG_EXTRA is to CONFIG (the phase's options come after CONFIG's).
# shellcheck disable=SC2206
FINETUNE_OPTIONS+=(${FINETUNE_EXTRA:-})

# Neighbour words (EXPERIMENTS.md, "Neighbour words", "Counting the
# neighbour words by source family" and "More groups"): 500 words per group
# of tools/train/neighbour_groups.tsv unless the group says fewer, scores
# stored at 4 bits (half the bytes of 8; about 0.1 point on the folds, the
# price of the eight groups added at stop 38), keys at 24 bits (3 bytes a
# word instead of 4; stop 47), at weight 0.5, counted over every source
# family's training file (data/by_source/*.train.tsv, `written` included) and
# Serbian Latin; within a language, three quarters of the counts weigh every
# family with 2,000+ of its words the same, so that its software catalogues
# do not outvote its everyday text (neighbour_words.py --balance-files).
NEIGHBOUR_OPTIONS=(--groups tools/train/neighbour_groups.tsv --words-per-group 500 --weight 0.5 --bits 4
                   --key-bits 24 --balance-files 2000 --balance-share 0.75)
# The written family is counted with the written rounds the network does
# not train on (written_rounds.py): everyday lines in the neighbours'
# languages, which move the folds' short texts the wrong way as training
# text but the right way as counted words (EXPERIMENTS.md, "Compact
# neighbour keys, and what the room bought").
NEIGHBOUR_ROUNDS="tools/corpus/written/round4 tools/corpus/written/round5 tools/corpus/written/round6"

# The lexicon head (docs/FORMAT.md, `lexicon.*`): words of the written
# family and its phrasebook that at most two languages' lines hold, each of
# them in two or more lines; on texts of at most 4 words each adds 3 to its
# languages' logits (EXPERIMENTS.md, "A lexicon head for bare words": bare
# greetings, which the network reads poorly, with nothing lost on the folds;
# two owners since stop 47, "Compact neighbour keys, and what the room
# bought").
LEXICON_OPTIONS=(--min-lines 2 --max-owners 2 --weight 3 --max-words 4)
