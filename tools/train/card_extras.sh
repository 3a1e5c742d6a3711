#!/usr/bin/env bash
# Measures the model card's cross-domain sections (tools/train/model_card.sh
# pastes them in) into $OUT, each with the command that produced it:
#   loso.md         leave-one-source-out: loso.py report over the fold dumps
#                   (FOLDS: folders of tools/train/loso.sh, each with pred.tsv)
#   everyday.md     the everyday-phrase dev and test files, the shipped model
#                   (tests/langid/everyday_eval.py), and the peers on test when
#                   PEERS=FILE holds the peer harness's output
#   calibration.md  Brier score, calibration by bucket and is_reliable on
#                   everyday-dev (the shipped model) and on the LOSO folds
#
#   FOLDS="build/loso/a build/loso/b+c" [PEERS=FILE] [SETS=dev,ambiguous] tools/train/card_extras.sh
# SETS: the everyday files run (default dev,test,ambiguous); a candidate's
# card is made with SETS=dev,ambiguous, test is run once for the ship decision.
# Not part of `make model`: the folds are extra trainings (tools/train/loso.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
BUILD="${BUILD:-build}"
MODEL="${MODEL:-models/langid.ffm}"
OUT="${OUT:-$BUILD/model/card}"
mkdir -p "$OUT"
dumps=()
for d in ${FOLDS:-}; do dumps+=("$d/pred.tsv"); done

block() { echo '```'; cat; echo '```'; }

{
  if [ ${#dumps[@]} -gt 0 ]; then
    echo "Each fold trains without one or more source families (data/by_source) and"
    echo "tests on their held-out lines (at most 300 per language and family), for the"
    echo "languages that keep running text elsewhere; figures are pooled over the"
    echo "languages with running text besides the UDHR. Fold trainings and their"
    echo "configurations (fold models are trained for fewer epochs than the shipped one):"
    echo
    for d in ${FOLDS}; do
      echo "- \`$(basename "$d")\`: $(sed -n 's/^# train //p' "$d/langid.spec" | sed 's/ --license "[^"]*"//; s/ --license .*//')"
    done
    echo
    echo "\`python3 tools/train/loso.py report ${dumps[*]}\`"
    echo
    python3 tools/train/loso.py report "${dumps[@]}" | sed '/^calibration/,$d' | block
  else
    echo "(no folds given)"
  fi
} > "$OUT/loso.md"

{
  echo "Everyday phrases written for the project (\`tests/langid/README.md\`):"
  case ",${SETS:-test}," in
    *,test,*) echo "dev chose the settings, test was run once for this card. Previous model" ;;
    *) echo "dev chose the settings; test is left for the ship decision (run once). Previous model" ;;
  esac
  echo "(ffb4f42, H7): dev 83.94 %, test 85.25 %."
  echo
  echo "\`python3 tests/langid/everyday_eval.py --sets ${SETS:-dev,test,ambiguous} -- --model $MODEL\`"
  echo
  # Per language and confusions: the first ten of each.
  python3 tests/langid/everyday_eval.py --sets "${SETS:-dev,test,ambiguous}" -- --model "$MODEL" | awk '
    /^== / { sec = "" } /by language/ { sec = "lang"; n = 0 } /confusions/ { sec = "conf"; n = 0 }
    { if (sec != "" && n++ > 10) next; print }' | block
  if [ -n "${PEERS:-}" ] && [ -f "$PEERS" ]; then
    echo
    echo "Peers on everyday-test (the peer harness, \`run_peers.mjs\`, same file; codes"
    echo "normalised by the harness; \"supported\" = on the languages each peer claims):"
    echo
    block < "$PEERS"
  fi
} > "$OUT/everyday.md"

{
  echo "\`build/train evaluate --model $MODEL dev=tests/langid/everyday-dev.tsv\` (the shipped"
  echo "model with its prior and temperature; rel% = share of texts of 20+ characters"
  echo "marked reliable, relok = of those, right; srel%, srelok the same for texts"
  echo "under 20 characters; ECE over 10 buckets):"
  echo
  "$BUILD/train" evaluate --model "$MODEL" --threads 1 dev=tests/langid/everyday-dev.tsv | block
  if [ ${#dumps[@]} -gt 0 ]; then
    echo
    echo "On the LOSO folds (cross-domain; running-text families), \`loso.py report\` as above:"
    echo
    python3 tools/train/loso.py report "${dumps[@]}" | sed -n '/^reliable/,/^most frequent/p' | sed '$d' | block
  fi
  if [ -f data/eval/gnome-help.tsv ] && [ -f data/eval/firefox.tsv ]; then
    echo
    echo "On the independent sets (\`data/eval/\`, never trained on), texts of 20+"
    echo "characters. Their lines carry the language pack's label, and a pack holds"
    echo "strings left in English (\"Unable to communicate securely.\" in the Asturian"
    echo "pack), so a wrong English answer is shown apart: the last figure is the"
    echo "share right among the reliable answers that are not such a wrong English"
    echo "one. \`build/train evaluate --model $MODEL --dump D"
    echo "gh=data/eval/gnome-help.tsv ff=data/eval/firefox.tsv\`, then:"
    echo
    dump=$(mktemp)
    "$BUILD/train" evaluate --model "$MODEL" --threads 1 --dump "$dump" \
      gh=data/eval/gnome-help.tsv ff=data/eval/firefox.tsv > /dev/null
    rule=$("$BUILD/train" evaluate --model "$MODEL" --threads 1 gh=data/eval/gnome-help.tsv | sed -n 1p)
    probability=$(echo "$rule" | sed -n 's/.*reliable = p >= \([0-9.]*\) .*/\1/p')
    short_probability=$(echo "$rule" | sed -n 's/.*, p >= \([0-9.]*\) below .*/\1/p')
    short_letters=$(echo "$rule" | sed -n 's/.* below \([0-9]*\) letters.*/\1/p')
    awk -F'\t' -v p="$probability" -v sp="${short_probability:-1}" -v sl="${short_letters:-0}" '
      NR > 1 && $3 >= 20 && $4 >= 3 {
        all[$1]++; if ($6 < ($4 < sl + 0 ? sp : p)) next
        n[$1]++; if ($2 == $5) ok[$1]++; else if ($5 == "en") en[$1]++; else bad[$1]++ }
      END { for (s in all) printf "%s: %d texts, %.1f %% marked reliable; of those right %.2f %%, wrong and English %.2f %%; right among the rest %.2f %%\n",
              s, all[s], 100 * n[s] / all[s], 100 * ok[s] / n[s], 100 * en[s] / n[s], 100 * ok[s] / (ok[s] + bad[s]) }' "$dump" | sort | block
    rm -f "$dump"
  fi
} > "$OUT/calibration.md"
echo "wrote $OUT/loso.md, everyday.md, calibration.md"
