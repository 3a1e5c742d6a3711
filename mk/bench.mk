# ---- benchmark -----------------------------------------------------------------
#   make bench                  the full benchmark (build/bench; see docs/PERFORMANCE.md)
#   make bench-quick            3 shorter runs per figure (noisy; for a busy machine)
#   make bench-profile          callgrind profile of classify() on the ui50 texts
#                               (PROFILE_CLASS=long for another class): writes
#                               build/bench-profile/callgrind.out, callgrind.txt
#                               (top functions) and stages.txt (per pipeline stage)
#   BENCH_ARGS="--model FILE"   passed to the bench by bench-quick and bench-profile
#                               (the main Makefile's `make bench` runs build/bench as is)
# The bench runs single-threaded and prints figures only; it asserts nothing.
BENCH_ARGS    ?=
PROFILE_CLASS ?= ui50
PROFILE_DIR   := $(BUILD)/bench-profile

.PHONY: bench-quick bench-profile

bench-quick: $(BUILD)/bench
	$(BUILD)/bench --quick $(BENCH_ARGS)

bench-profile: $(BUILD)/bench
	@command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install -y valgrind"; exit 1; }
	@mkdir -p $(PROFILE_DIR)
	valgrind --tool=callgrind --callgrind-out-file=$(PROFILE_DIR)/callgrind.out \
	  "--toggle-collect=*Runner::classify*" \
	  $(BUILD)/bench --profile $(PROFILE_CLASS) --profile-passes 2 $(BENCH_ARGS) | tee $(PROFILE_DIR)/bench.txt
	callgrind_annotate --inclusive=no $(PROFILE_DIR)/callgrind.out | head -n 40 > $(PROFILE_DIR)/callgrind.txt
	python3 tools/bench/callgrind_stages.py $(PROFILE_DIR)/callgrind.out $(PROFILE_DIR)/bench.txt | tee $(PROFILE_DIR)/stages.txt

# ---- side by side with CLD2 and fastText (issue 12) -----------------------------
#   make bench-peers            build/langid line mode vs CLD2 (npm "cld") and
#                               fastText (wasm) on ~50- and ~200-character lines,
#                               PEER_RUNS runs of the peers harness; prints ratios
#   PEERS_SRC=DIR               the harness to copy (default ../shared/peers)
#   PEERS_DIR=DIR               where it is installed (default build/peers;
#                               `npm ci` runs there when node_modules is missing)
#   PEER_BASELINE=PATH          another langid build timed in the same runs (ratios to it)
#   PEER_DATA=FILE              the text the lines come from (default
#                               data/heldout.tsv; the harness's sample_udhr.tsv
#                               when that is missing)
# See tools/bench/bench_peers.py and docs/PERFORMANCE.md ("Against CLD2").
PEERS_SRC     ?= ../shared/peers
PEERS_DIR     ?= $(BUILD)/peers
PEER_RUNS     ?= 5
PEER_MIN_TIME ?= 2
PEER_DATA     ?= data/heldout.tsv
# PEER_BASELINE=PATH: another langid build (e.g. main's) timed in the same runs
PEER_BASELINE ?=

.PHONY: bench-peers
bench-peers: $(BUILD)/langid
	python3 tools/bench/bench_peers.py --langid $(BUILD)/langid --peers-src $(PEERS_SRC) --peers-dir $(PEERS_DIR) \
	  --data $(PEER_DATA) --out $(BUILD)/bench-peers --runs $(PEER_RUNS) --min-time $(PEER_MIN_TIME) \
	  $(if $(PEER_BASELINE),--baseline $(PEER_BASELINE))
