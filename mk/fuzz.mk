# ---- fuzzing (libFuzzer + ASan + UBSan; clang) -----------------------------
#   make fuzz                  build every target and run each for FUZZ_SECONDS
#   make fuzz FUZZ_SECONDS=600 FUZZ_TARGETS=fuzz_model_load
#   make fuzz FUZZ_RUNS=2000000 run each target for that many executions instead
#   make fuzz-build            build only (build/fuzz/<target>)
#   make fuzz-check            replay every target's committed corpus and
#                              regressions once, built WITHOUT libFuzzer: g++,
#                              the ASan+UBSan libraries of build/asan and
#                              tests/fuzz/src/replay_main.cpp (part of make test)
#   make fuzz-merge            minimize build/fuzz/corpus/<target> into
#                              build/fuzz/min/<target> (to refresh the seeds)
# `make fuzz` needs clang++-14 and its libFuzzer runtime: apt-get install -y
# clang-14 libclang-rt-14-dev. New corpus entries go to build/fuzz/corpus/<target>
# (the committed seeds under tests/fuzz/corpus/ are only read), crashes to
# build/fuzz/artifacts/, logs to build/fuzz/logs/. Copy a crash input to
# tests/fuzz/regressions/<target>/ and add a test beside the code it broke.

FUZZ_CXX      ?= clang++-14
FUZZ_SECONDS  ?= 60
FUZZ_FLAGS    ?= -rss_limit_mb=2048 -timeout=10 -print_final_stats=1
FUZZ_ALL      := fuzz_model_load fuzz_npy fuzz_zip fuzz_inflate fuzz_spec fuzz_npy_convert \
                 fuzz_classify_text fuzz_langid_lines fuzz_tag_text
FUZZ_TARGETS  ?= $(FUZZ_ALL)
FUZZ_RUNS     ?=
FUZZ_DIR      := build/fuzz
FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CXXFLAGS := -std=c++17 -O1 -g -Wall -Wextra -ffp-contract=off $(FUZZ_SAN) -MMD -MP \
                 -DFFNLP_SOURCE_DIR='"$(CURDIR)"' -DFFNLP_TOOL_DIR='"$(abspath $(FUZZ_DIR))"'
FUZZ_INCLUDES := -Iruntime/include -Iruntime/src -I. -Itests

# Per-target extra flags: the converter prints warnings on stderr.
FUZZ_FLAGS_fuzz_npy_convert := -close_fd_mask=2
FUZZ_FLAGS_fuzz_spec := -close_fd_mask=2
# The two text targets run the whole model several times per input (spans:
# every word with its context); shorter inputs keep them near 1,000
# executions per second under ASan on a 2-core machine. Texts are linear in
# their length: long inputs add time, not new paths.
FUZZ_FLAGS_fuzz_classify_text := -max_len=1024
FUZZ_FLAGS_fuzz_langid_lines := -max_len=512 -close_fd_mask=2
FUZZ_FLAGS_fuzz_tag_text := -max_len=1024

fuzz_objs = $(patsubst %.cpp,$(FUZZ_DIR)/obj/%.o,$(1))
FUZZ_RUNTIME_OBJS := $(call fuzz_objs,$(RUNTIME_SRCS))
FUZZ_TOOL_OBJS    := $(call fuzz_objs,$(TOOLLIB_SRCS))

.PHONY: fuzz fuzz-build fuzz-check fuzz-merge

# The numeric code (dense layers, softmax, top-k, tag decoding) keeps its
# edge counters and ASan but not libFuzzer's comparison hooks: its loops
# compare indices with model dimensions, never with input bytes, and the
# hooks on them were half the time of the text targets (the whole network
# runs for every word of --spans).
FUZZ_NO_CMP := -fno-sanitize-coverage=trace-cmp
$(FUZZ_DIR)/obj/runtime/src/network/%.o $(FUZZ_DIR)/obj/runtime/src/heads/%.o: FUZZ_COV := $(FUZZ_NO_CMP)

$(FUZZ_DIR)/obj/runtime/%.o: runtime/%.cpp
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_COV) $(RTFLAGS) $(FUZZ_INCLUDES) -c $< -o $@

$(FUZZ_DIR)/obj/tools/%.o: tools/%.cpp
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_INCLUDES) -c $< -o $@

$(FUZZ_DIR)/obj/tests/fuzz/src/%.o: tests/fuzz/src/%.cpp
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_INCLUDES) -c $< -o $@

# fuzz_langid_lines links the integer dense kernels without ASan (UBSan,
# edge counters stay): ASan checks every lane of a masked AVX-512 load with
# a branch of its own, and the sparse output layer's per-row masked loads
# were 30% of that target's time. What the kernels read depends only on the
# model's dimensions, fixed for this target (the built-in model), never on
# the line bytes it fuzzes; fuzz_classify_text and fuzz_model_load (models
# of any shape) and make test-asan keep ASan on them. (dense_q8_cols: the
# output layer of models stored q8_col, the shipped one since the seventh
# speed pass.)
FUZZ_NOASAN_KERNEL := runtime/src/network/dense_q8_int.cpp runtime/src/network/dense_q8_cols.cpp
FUZZ_NOASAN_OBJ    := $(patsubst %.cpp,$(FUZZ_DIR)/obj-noasan/%.o,$(FUZZ_NOASAN_KERNEL))
FUZZ_OBJS_fuzz_langid_lines := $(filter-out $(call fuzz_objs,$(FUZZ_NOASAN_KERNEL)),$(FUZZ_RUNTIME_OBJS)) $(FUZZ_NOASAN_OBJ)

$(FUZZ_NOASAN_OBJ): $(FUZZ_DIR)/obj-noasan/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fno-sanitize=address -fsanitize=fuzzer-no-link $(FUZZ_NO_CMP) $(RTFLAGS) $(FUZZ_INCLUDES) -c $< -o $@

.SECONDEXPANSION:
$(addprefix $(FUZZ_DIR)/,$(FUZZ_ALL)): $(FUZZ_DIR)/%: $(FUZZ_DIR)/obj/tests/fuzz/src/%.o $(FUZZ_TOOL_OBJS) \
                                        $$(or $$(FUZZ_OBJS_$$*),$(FUZZ_RUNTIME_OBJS))
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer -o $@ $^ -pthread

fuzz-build: $(addprefix $(FUZZ_DIR)/,$(FUZZ_TARGETS))

# Each target: fresh corpus dir first (libFuzzer writes new inputs there),
# then the committed seeds. The summary line of every run is printed at the
# end. (The per-target flags are expanded by make, one command per target.)
fuzz: fuzz-build
	@mkdir -p $(FUZZ_DIR)/artifacts $(FUZZ_DIR)/logs
	@set -e; $(foreach t,$(FUZZ_TARGETS), \
	  mkdir -p $(FUZZ_DIR)/corpus/$(t); \
	  echo "== $(t): $(if $(FUZZ_RUNS),$(FUZZ_RUNS) runs,$(FUZZ_SECONDS) s) $(FUZZ_FLAGS_$(t))"; \
	  $(FUZZ_DIR)/$(t) $(FUZZ_FLAGS) $(FUZZ_FLAGS_$(t)) \
	    $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS),-max_total_time=$(FUZZ_SECONDS)) \
	    -artifact_prefix=$(FUZZ_DIR)/artifacts/$(t)- \
	    $(FUZZ_DIR)/corpus/$(t) tests/fuzz/corpus/$(t) > $(FUZZ_DIR)/logs/$(t).log 2>&1 \
	    || { tail -n 60 $(FUZZ_DIR)/logs/$(t).log; echo "$(t): FAILED (log: $(FUZZ_DIR)/logs/$(t).log)"; exit 1; };) \
	for t in $(FUZZ_TARGETS); do \
	  echo "$$t: $$(grep -E '^#[0-9]+[[:space:]]+DONE' $(FUZZ_DIR)/logs/$$t.log | tail -n 1)"; \
	  grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' $(FUZZ_DIR)/logs/$$t.log | sed 's/^/    /'; \
	done

# Minimizing a grown corpus (libFuzzer -merge=1) before committing it.
fuzz-merge: fuzz-build
	@mkdir -p $(FUZZ_DIR)/logs
	@set -e; $(foreach t,$(FUZZ_TARGETS), \
	  rm -rf $(FUZZ_DIR)/min/$(t); mkdir -p $(FUZZ_DIR)/min/$(t) $(FUZZ_DIR)/corpus/$(t); \
	  $(FUZZ_DIR)/$(t) $(FUZZ_FLAGS_$(t)) -merge=1 $(FUZZ_DIR)/min/$(t) tests/fuzz/corpus/$(t) $(FUZZ_DIR)/corpus/$(t) \
	    > $(FUZZ_DIR)/logs/merge-$(t).log 2>&1; \
	  echo "$(t): $$(ls $(FUZZ_DIR)/min/$(t) | wc -l) inputs, $$(du -sk $(FUZZ_DIR)/min/$(t) | cut -f1) KB";)

# ---- replaying the corpora without libFuzzer (make test) -------------------
# Each target is linked with replay_main.cpp and the libraries of its build
# (make test: build/asan, so ASan+UBSan watch the replay). A corpus directory
# that is missing is a failure.
$(BUILD)/fuzz-replay/%: $(BUILD)/obj/tests/fuzz/src/%.o $(BUILD)/obj/tests/fuzz/src/replay_main.o \
                        $(BUILD)/toollib.a $(BUILD)/libffnlp.a
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $^ $(LDLIBS)

# Kept: as intermediate files they were deleted after test-build-asan and
# compiled again by fuzz-check (a .PRECIOUS pattern must be the rule's own).
.SECONDARY: $(patsubst %,$(BUILD)/obj/tests/fuzz/src/%.o,$(FUZZ_ALL) replay_main)
FUZZ_REPLAY := $(addprefix $(ASAN_BUILD)/fuzz-replay/,$(FUZZ_ALL))
TEST_BUILD_ASAN += $(FUZZ_REPLAY)
TEST_RUN_ASAN += fuzz-check

fuzz-check:
	@$(MAKE) --no-print-directory $(AUTO_JOBS) $(ASAN_VARS) $(FUZZ_REPLAY)
	@set -e; for t in $(FUZZ_ALL); do \
	  dirs=tests/fuzz/corpus/$$t; \
	  if [ -d tests/fuzz/regressions/$$t ]; then dirs="$$dirs tests/fuzz/regressions/$$t"; fi; \
	  $(ASAN_ENV) $(ASAN_BUILD)/fuzz-replay/$$t $$dirs 2> $(ASAN_BUILD)/fuzz-replay/$$t.log \
	    || { tail -n 60 $(ASAN_BUILD)/fuzz-replay/$$t.log; echo "$$t: replay FAILED"; exit 1; }; \
	done

-include $(shell find $(FUZZ_DIR)/obj -name '*.d' 2>/dev/null)

# Regenerates the committed seed corpora (deterministic).
.PHONY: fuzz-seeds
$(FUZZ_DIR)/make_seeds: tests/fuzz/src/make_seeds.cpp $(BUILD)/toollib.a $(BUILD)/libffnlp.a
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(TEST_DEFS) $(INCLUDES) -o $@ $^ $(LDLIBS)

fuzz-seeds: $(FUZZ_DIR)/make_seeds
	$(FUZZ_DIR)/make_seeds
# (Fuzz sources live in tests/fuzz/src/ so the main Makefile's
# tests/*/*.cpp wildcard does not link them into run_tests.)
