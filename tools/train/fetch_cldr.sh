#!/usr/bin/env bash
# Fetches what tools/train/language_prior.py reads: CLDR's supplementalData.xml
# (territory populations, languages and their population / writing shares)
# and likelySubtags.xml, from Debian's unicode-cldr-core (Unicode licence).
# The .deb goes to data/debs (as tools/corpus/fetch.sh does), the two files
# to data/prior/unicode-cldr-core/ (not data/extract, which prepare.py
# reads). Skips the download when the .deb is there. Prints the folder
# holding the two files.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
DEST=data/prior/unicode-cldr-core
SUPPLEMENTAL=usr/share/unicode/cldr/common/supplemental
mkdir -p data/debs "$DEST"
deb=$(ls data/debs/unicode-cldr-core_*.deb 2>/dev/null | tail -n 1 || true)
if [ -z "$deb" ]; then
  (cd data/debs && apt-get download unicode-cldr-core 2>&1 | grep -vE '^(W: Download is performed unsandboxed|Get:)' >&2 || true)
  deb=$(ls data/debs/unicode-cldr-core_*.deb 2>/dev/null | tail -n 1 || true)
  [ -n "$deb" ] || { echo "fetch_cldr.sh: could not download unicode-cldr-core" >&2; exit 1; }
fi
if [ ! -f "$DEST/$SUPPLEMENTAL/supplementalData.xml" ] || [ "$deb" -nt "$DEST/$SUPPLEMENTAL/supplementalData.xml" ]; then
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$DEST" \
    "./$SUPPLEMENTAL/supplementalData.xml" "./$SUPPLEMENTAL/likelySubtags.xml"
  touch "$DEST/$SUPPLEMENTAL/supplementalData.xml" "$DEST/$SUPPLEMENTAL/likelySubtags.xml"
fi
echo "$DEST/$SUPPLEMENTAL"
