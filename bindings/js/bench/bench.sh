#!/usr/bin/env bash
# bench.sh PEERS_DIR TARBALL WORK EVAL.tsv [harness options...]
#
# ffnlp next to franc, eld, cld3-asm and fasttext.wasm.js in one run of the
# peers harness (an npm-installed copy in PEERS_DIR; it is not part of this
# repository). The harness is copied to WORK, the ffnlp tarball installed
# into the copy, and ffnlp_peer.mjs registered as one more in-process peer,
# so ffnlp is timed exactly as the JavaScript peers are (fresh Node process
# each, single thread, warm-up, median pass).
set -euo pipefail
peers=$1 tarball=$2 work=$3 eval=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
test -f "$peers/run_peers.mjs" && test -d "$peers/node_modules" || {
  echo "bench.sh: $peers is not an npm-installed peers harness (run_peers.mjs, node_modules)"; exit 1; }
rm -rf "$work"
mkdir -p "$work"
cp -a "$peers/." "$work/"
cp "$here/ffnlp_peer.mjs" "$work/lib/ffnlp_peer.mjs"
printf '\n// Added by bindings/js/bench/bench.sh (this copy only).\nimport { ffnlp } from "./ffnlp_peer.mjs";\nPEERS.ffnlp = ffnlp;\n' \
  >> "$work/lib/peers.mjs"
(cd "$work" && npm install --no-save --offline --no-audit --no-fund --silent "$tarball")
cd "$work"
exec node run_peers.mjs "$eval" --peers ffnlp,franc,eld,cld3,fasttext-js "$@"
