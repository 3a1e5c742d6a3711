# ---- fuzzing (libFuzzer + ASan + UBSan; clang) -----------------------------
#   make fuzz                  build every target and run each for FUZZ_SECONDS
#   make fuzz FUZZ_SECONDS=600 FUZZ_TARGETS=fuzz_model_load
#   make fuzz-build            build only (build/fuzz/<target>)
#   make fuzz-check            run every target once over its committed seed
#                              corpus and tests/fuzz/regressions/ (no fuzzing)
# Needs clang++-14 and its libFuzzer runtime: apt-get install -y clang-14
# libclang-rt-14-dev. New corpus entries go to build/fuzz/corpus/<target>
# (the committed seeds under tests/fuzz/corpus/ are only read), crashes to
# build/fuzz/artifacts/, logs to build/fuzz/logs/. Copy a crash input to
# tests/fuzz/regressions/<target>/ and add a test to
# tests/runtime/test_fuzz_regressions.cpp.

FUZZ_CXX      ?= clang++-14
FUZZ_SECONDS  ?= 60
FUZZ_FLAGS    ?= -rss_limit_mb=2048 -timeout=10 -print_final_stats=1
FUZZ_TARGETS  ?= fuzz_model_load fuzz_npy_convert fuzz_classify_text fuzz_tag_text
FUZZ_DIR      := build/fuzz
FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CXXFLAGS := -std=c++17 -O1 -g -Wall -Wextra -ffp-contract=off $(FUZZ_SAN) -MMD -MP
FUZZ_INCLUDES := -Iruntime/include -Iruntime/src -I. -Itests

# Per-target extra flags: the converter prints warnings on stderr.
FUZZ_FLAGS_fuzz_npy_convert := -close_fd_mask=2
FUZZ_FLAGS_fuzz_classify_text := -max_len=16384
FUZZ_FLAGS_fuzz_tag_text := -max_len=16384

fuzz_objs = $(patsubst %.cpp,$(FUZZ_DIR)/obj/%.o,$(1))
FUZZ_RUNTIME_OBJS := $(call fuzz_objs,$(RUNTIME_SRCS))
FUZZ_TOOL_OBJS    := $(call fuzz_objs,$(TOOLLIB_SRCS))

.PHONY: fuzz fuzz-build fuzz-check

$(FUZZ_DIR)/obj/runtime/%.o: runtime/%.cpp
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer-no-link $(RTFLAGS) $(FUZZ_INCLUDES) -c $< -o $@

$(FUZZ_DIR)/obj/tools/%.o: tools/%.cpp
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_INCLUDES) -c $< -o $@

$(FUZZ_DIR)/obj/tests/fuzz/src/%.o: tests/fuzz/src/%.cpp
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_INCLUDES) -c $< -o $@

FUZZ_ALL := fuzz_model_load fuzz_npy_convert fuzz_classify_text fuzz_tag_text
$(addprefix $(FUZZ_DIR)/,$(FUZZ_ALL)): $(FUZZ_DIR)/%: $(FUZZ_DIR)/obj/tests/fuzz/src/%.o $(FUZZ_TOOL_OBJS) $(FUZZ_RUNTIME_OBJS)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -fsanitize=fuzzer -o $@ $^ -pthread

fuzz-build: $(addprefix $(FUZZ_DIR)/,$(FUZZ_TARGETS))

# Each target: fresh corpus dir first (libFuzzer writes new inputs there),
# then the committed seeds. The summary line of every run is printed at the end.
fuzz: fuzz-build
	@mkdir -p $(FUZZ_DIR)/artifacts $(FUZZ_DIR)/logs
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_DIR)/corpus/$$t; \
	  echo "== $$t: $(FUZZ_SECONDS) s"; \
	  $(FUZZ_DIR)/$$t $(FUZZ_FLAGS) $(FUZZ_FLAGS_$$t) -max_total_time=$(FUZZ_SECONDS) \
	    -artifact_prefix=$(FUZZ_DIR)/artifacts/$$t- \
	    $(FUZZ_DIR)/corpus/$$t tests/fuzz/corpus/$$t > $(FUZZ_DIR)/logs/$$t.log 2>&1 \
	    || { tail -n 60 $(FUZZ_DIR)/logs/$$t.log; echo "$$t: FAILED (log: $(FUZZ_DIR)/logs/$$t.log)"; exit 1; }; \
	done; \
	for t in $(FUZZ_TARGETS); do \
	  echo "$$t: $$(grep -E '^#[0-9]+[[:space:]]+DONE' $(FUZZ_DIR)/logs/$$t.log | tail -n 1)"; \
	  grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' $(FUZZ_DIR)/logs/$$t.log | sed 's/^/    /'; \
	done

fuzz-check: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
	  dirs=tests/fuzz/corpus/$$t; \
	  if [ -d tests/fuzz/regressions/$$t ]; then dirs="$$dirs tests/fuzz/regressions/$$t"; fi; \
	  echo "== $$t over $$dirs"; \
	  $(FUZZ_DIR)/$$t -runs=0 $$dirs > $(FUZZ_DIR)/check-$$t.log 2>&1 \
	    || { tail -n 60 $(FUZZ_DIR)/check-$$t.log; exit 1; }; \
	  grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)' $(FUZZ_DIR)/check-$$t.log | tail -n 1; \
	done

-include $(shell find $(FUZZ_DIR)/obj -name '*.d' 2>/dev/null)

# Regenerates the committed seed corpora (deterministic).
.PHONY: fuzz-seeds
$(FUZZ_DIR)/make_seeds: tests/fuzz/src/make_seeds.cpp $(BUILD)/toollib.a $(BUILD)/libffnlp.a
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(INCLUDES) -o $@ $^ $(LDLIBS)

fuzz-seeds: $(FUZZ_DIR)/make_seeds
	$(FUZZ_DIR)/make_seeds
# (Fuzz sources live in tests/fuzz/src/ so the main Makefile's
# tests/*/*.cpp wildcard does not link them into run_tests.)
