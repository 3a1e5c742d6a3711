# ffnlp: build, test, sanitize, benchmark.
#   make            runtime libraries, tools and the langid demo into build/
#   make test       everything CI runs: the doctest suite plain and under
#                   ASan+UBSan (with sanitized tools), the embedding, install
#                   and allocation tests, and the fuzz corpora replayed
#                   (builds in parallel on every core unless -j is given)
#   make check      quick edit loop: plain build + doctest suite only
#   make demo       the language identifier on a few sample texts
#   make bench      the benchmark program (prints figures; no timing asserts)
#   make data       fetch and prepare training text and evaluation sets into data/ (not in git)
#   make model      retrain and reconvert models/langid.ffm from data/

BUILD    ?= build
CXX      ?= g++
OPT      ?= -O2
# Test sources only check results: -O0 compiles them about twice as fast as
# -O2 and the code under test (runtime, tools) keeps OPT. Line tables (-g1)
# are all a failure's backtrace needs; full debug info only where DEBUG says.
TEST_OPT ?= -O0
DEBUG    ?= -g
TEST_DEBUG ?= -g1
SAN      ?=
WARN     := -Wall -Wextra -Wshadow
# -ffp-contract=off: no implicit fused multiply-adds anywhere (the reference
# kernels mean the same on every CPU; inline kernels compile the same in every
# translation unit). FMA only where a kernel asks for it explicitly.
CXXFLAGS := -std=c++17 $(OPT) $(DEBUG) $(WARN) -ffp-contract=off $(SAN) -MMD -MP $(EXTRA_CXXFLAGS)
NPROC    := $(shell nproc 2>/dev/null || echo 2)
# `make test` and `make check` build with -j<cores> unless the caller gave a
# -j of their own (GNU make shows it in MAKEFLAGS only inside recipes).
AUTO_JOBS = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(NPROC))
RTFLAGS  := -fno-exceptions -fno-rtti
INCLUDES := -Iruntime/include -Iruntime/src -I. -Itests
LDLIBS   := -pthread

RUNTIME_SRCS := $(wildcard runtime/src/*/*.cpp)
TOOLLIB_SRCS := $(wildcard tools/common/*.cpp) tools/convert_model/model_spec.cpp \
                tools/convert_model/quantize_matrix.cpp tools/convert_model/converter.cpp \
                tools/convert_model/import_quantized.cpp tools/convert_model/neighbour_words.cpp \
                tools/convert_model/lexicon.cpp \
                $(filter-out tools/langid/main.cpp,$(wildcard tools/langid/*.cpp)) \
                $(filter-out tools/postag/main.cpp,$(wildcard tools/postag/*.cpp))
TEST_SRCS    := $(wildcard tests/*.cpp tests/*/*.cpp)

obj = $(patsubst %.cpp,$(BUILD)/obj/%.o,$(1))
# The runtime is compiled once, position-independent with hidden internals,
# for both libffnlp.a and libffnlp.so (mk/embedding.mk has the flags).
RUNTIME_OBJS := $(patsubst %.cpp,$(BUILD)/pic/%.o,$(RUNTIME_SRCS))
TOOLLIB_OBJS := $(call obj,$(TOOLLIB_SRCS))

PROGRAMS := convert_model inspect_model train langid bench
# Sources of one program: its folder, minus what the tool library already holds.
prog_srcs = $(filter-out $(TOOLLIB_SRCS),$(wildcard tools/$(1)/*.cpp))

.PHONY: all test test-build test-build-asan test-plain test-train-tools test-asan test-asan-runtime test-asan-rest check demo bench data model model-large clean check-doctest
all: $(BUILD)/libffnlp.a $(foreach p,$(PROGRAMS),$(if $(wildcard tools/$(p)/*.cpp),$(BUILD)/$(p)))

$(BUILD)/obj/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(OBJ_OPT) $(INCLUDES) -c $< -o $@

# TOOL_OPT (empty: OPT) for the command-line tools' objects (tools/, the
# tool library and the programs' own files); the sanitized tree sets it.
# TOOL_HOT keeps OPT: the per-byte and per-line code that the suite runs
# millions of times (inflate's bit flips, a million lines through langid),
# cheap to compile.
TOOL_HOT := tools/common/inflate tools/common/line_reader tools/common/line_pipeline tools/common/json_string \
            tools/common/number_format tools/langid/records tools/langid/line_mode tools/langid/spans
$(BUILD)/obj/tools/%.o: OBJ_OPT = $(if $(filter $(TOOL_HOT),$*),,$(TOOL_OPT))

# Test objects: TEST_OPT, and where the fixtures and this build's tools are
# (tests/test_paths.h), so the tests pass from any working directory.
TEST_DEFS = -DFFNLP_SOURCE_DIR='"$(CURDIR)"' -DFFNLP_TOOL_DIR='"$(abspath $(BUILD))"'
# Most of a test unit's compile time is generating code for its thousands
# of assertions: without a try/catch in each (doctest then fails the test
# case on an unexpected exception instead of the one assertion) it halves.
# TEST_SAN: the sanitized tree's extra flags for test code (below).
TEST_CXXFLAGS = $(filter-out $(OPT) $(DEBUG),$(CXXFLAGS)) $(TEST_OPT) $(TEST_DEBUG) $(TEST_SAN) \
                -DDOCTEST_CONFIG_NO_TRY_CATCH_IN_ASSERTS $(TEST_DEFS) $(INCLUDES)
$(BUILD)/obj/tests/%.o: tests/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(TEST_CXXFLAGS) -c $< -o $@

# Unity build of the suite: most of a test file's compile time is the
# headers it shares with the others (doctest, the standard library), and
# `make test` compiles the suite twice (plain and sanitized). The test
# sources are compiled as TEST_GROUPS generated translation units
# ($(BUILD)/unity/tests_N.cpp, each #including every TEST_GROUPS-th source),
# so the cores compile side by side. The sources stay separate files; names
# local to one (anonymous namespaces) must not repeat in another: helpers
# that several files need live in tests/*.h. Alone, in their own units:
# doctest's main, and the training tests (each #includes trainer sources
# whose internal helpers share names).
TEST_GROUPS ?= 3
TEST_ALONE  := tests/test_main.cpp $(wildcard tests/train/*.cpp)
TEST_UNITY_SRCS = $(sort $(filter-out $(TEST_ALONE),$(TEST_SRCS)))
test_group = $(foreach i,$(shell seq $(1) $(TEST_GROUPS) $(words $(TEST_UNITY_SRCS))),$(word $(i),$(TEST_UNITY_SRCS)))
TEST_UNITS  = $(foreach g,$(shell seq $(TEST_GROUPS)),$(if $(call test_group,$(g)),$(BUILD)/unity/tests_$(g).cpp))
TEST_UNIT_OBJS = $(patsubst $(BUILD)/unity/%.cpp,$(BUILD)/obj/unity/%.o,$(TEST_UNITS))
TEST_OBJS   = $(call obj,$(filter $(TEST_ALONE),$(TEST_SRCS))) $(TEST_UNIT_OBJS)

# Rewritten only when the list changes (FORCE runs the recipe every time;
# make then sees the file's unchanged time and compiles nothing). The
# temporary file is named by the shell's PID: make test's two sanitized
# steps run this recipe at the same time, and with one shared name one of
# them removed the file the other was about to move. Static
# pattern rules: a FORCE pattern rule would match any name (make tried to
# make tests_1.d.cpp for the dependency file tests_1.d).
$(TEST_UNITS): $(BUILD)/unity/tests_%.cpp: FORCE
	@mkdir -p $(dir $@)
	@tmp=$@.tmp.$$$$; \
	{ echo "// Generated by the Makefile (unity build of the tests): do not edit."; \
	  printf '#include "%s"\n' $(call test_group,$*); } > $$tmp; \
	if cmp -s $$tmp $@; then rm -f $$tmp; else mv -f $$tmp $@; fi

$(TEST_UNIT_OBJS): $(BUILD)/obj/unity/%.o: $(BUILD)/unity/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(TEST_CXXFLAGS) -c $< -o $@

.SECONDARY: $(TEST_UNITS)
.PHONY: FORCE
FORCE:

$(BUILD)/libffnlp.a: $(RUNTIME_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/toollib.a: $(TOOLLIB_OBJS)
	rm -f $@ && ar rcs $@ $^

define program_rule
$(BUILD)/$(1): $(call obj,$(call prog_srcs,$(1))) $(BUILD)/toollib.a $(BUILD)/libffnlp.a
	$$(CXX) $$(CXXFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach p,$(PROGRAMS),$(eval $(call program_rule,$(p))))

# The demo carries the shipped model inside its binary (.incbin).
$(BUILD)/obj/tools/langid/builtin_model.o: models/langid.ffm

# ---- tests ---------------------------------------------------------------
DOCTEST_HEADER := /usr/include/doctest/doctest.h

check-doctest:
	@test -f $(DOCTEST_HEADER) || { \
	  echo "doctest is missing; installing doctest-dev with apt-get"; \
	  if [ "$$(id -u)" = 0 ]; then (apt-get install -y doctest-dev || (apt-get update && apt-get install -y doctest-dev)); \
	  else echo "run: sudo apt-get install -y doctest-dev"; exit 1; fi; }

# The suite runs convert_model, inspect_model and langid of its own build (the
# sanitized ones for build/asan/run_tests): they come with it.
$(BUILD)/run_tests: $(TEST_OBJS) $(BUILD)/toollib.a $(BUILD)/libffnlp.a | $(BUILD)/convert_model $(BUILD)/inspect_model $(BUILD)/langid
	$(CXX) $(CXXFLAGS) -o $@ $^ $(LDLIBS)

ASAN_BUILD := build/asan
# Line tables only: ASan and UBSan reports still name file and line.
# The test code itself without use-after-scope checks (poisoning every
# block's locals): a third of its compile time; nor UBSan's null, alignment
# and pointer-overflow checks, which sit on every member call of the
# standard library and doctest code a test expands to (a test unit 20 s ->
# 14 s of CPU: UBSan cost more than ASan there). The test code keeps ASan
# and UBSan's other checks; the runtime and the tools, what the sanitized
# run is for, keep every check.
# The tools at -O0 (but TOOL_HOT): with ASan+UBSan, -O1 took up to 2-3
# times as long to compile them (converter.cpp 11 s -> 4 s of CPU); the
# runtime keeps -O1 (classification). The same checks at either level.
ASAN_VARS  := BUILD=$(ASAN_BUILD) OPT=-O1 DEBUG=-g1 TOOL_OPT=-O0 \
              SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
              TEST_SAN="-fno-sanitize-address-use-after-scope -fno-sanitize=alignment,null,pointer-overflow"
ASAN_ENV   := ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1

# `make test` = one parallel make. The plain tree (test-build) and the
# sanitized tree (test-build-asan) compile side by side; each test step
# starts as soon as its tree is built (TEST_RUN after test-build, TEST_RUN_ASAN
# after test-build-asan), so the plain steps run while the sanitized tree
# still compiles. Feature areas in mk/*.mk add to test-build, TEST_BUILD_ASAN,
# TEST_RUN and TEST_RUN_ASAN. A step writes to $(TEST_LOGS)/STEP.log, shown
# whole when it ends; a failing step stops the run.
TEST_RUN        := test-plain
TEST_RUN_ASAN   := test-asan-runtime test-asan-rest
TEST_BUILD_ASAN := $(ASAN_BUILD)/run_tests
TEST_LOGS       := $(BUILD)/test-logs
# make test compiles the plain tree with line tables only, as the sanitized
# tree and the tests (-g never changes the code generated; full debug info
# made the runtime and tools take a quarter longer to compile). Objects a
# plain `make` compiled before are kept as they are, and the other way round.
TEST_TREE_DEBUG ?= -g1
test: check-doctest
	@rm -rf $(TEST_LOGS)
	@start=$$(date +%s); $(MAKE) --no-print-directory $(AUTO_JOBS) DEBUG=$(TEST_TREE_DEBUG) test-steps && \
	echo "make test: $(words $(TEST_RUN) $(TEST_RUN_ASAN)) steps passed in $$(( $$(date +%s) - start )) s" && \
	cases() { cat "$$@" | sed -n 's/^\[doctest\] test cases: *\([0-9]*\).*/\1/p' | awk '{ n += $$1 } END { print n + 0 }'; } && \
	echo "make test: doctest cases run: $$(cases $(TEST_LOGS)/test-plain.log) plain," \
	  "$$(cases $(addprefix $(TEST_LOGS)/,$(addsuffix .log,$(filter test-asan-%,$(TEST_RUN_ASAN))))) under ASan+UBSan"

test-build: $(BUILD)/run_tests
test-build-asan:
	@$(MAKE) --no-print-directory $(ASAN_VARS) $(TEST_BUILD_ASAN)

# test-step-STEP: not .PHONY (a phony target skips pattern rules), no such
# files exist; the steps' prerequisites are set after mk/*.mk (end of file).
test-step-%:
	@mkdir -p $(TEST_LOGS); t0=$$(date +%s); \
	if $(MAKE) --no-print-directory $* > $(TEST_LOGS)/$*.log 2>&1; then \
	  cat $(TEST_LOGS)/$*.log; echo "== $*: passed in $$(( $$(date +%s) - t0 )) s"; \
	else cat $(TEST_LOGS)/$*.log; echo "== $*: FAILED (log: $(TEST_LOGS)/$*.log)"; exit 1; fi

test-plain: $(BUILD)/run_tests
	$(BUILD)/run_tests

# The training tools' Python parts that shape the shipped model's files
# (the corpus builder's tests need no corpus), and the everyday phrase files
# (format, NFC, the dev/test split, labels the model has).
TEST_RUN += test-train-tools
test-train-tools:
	python3 -W error::ResourceWarning tools/train/test_neighbour_words.py
	python3 -W error::ResourceWarning tools/train/test_lexicon_sim.py
	python3 -W error::ResourceWarning tools/train/test_lexicon_words.py
	python3 -W error::ResourceWarning tools/train/test_written_rounds.py
	python3 -W error::ResourceWarning tools/corpus/test_corpus.py
	python3 tests/langid/everyday_eval.py --check --langid $(BUILD)/langid

test-asan:
	@$(MAKE) --no-print-directory $(AUTO_JOBS) $(ASAN_VARS) $(ASAN_BUILD)/run_tests
	$(ASAN_ENV) $(ASAN_BUILD)/run_tests

# make test runs the sanitized suite as two processes, one per core: the
# runtime's test files, and all others (doctest's source-file filter and
# its exclusion: together exactly the whole suite; the summary adds them up).
ASAN_PART_runtime := -sf='*tests/runtime/*'
ASAN_PART_rest    := -sfe='*tests/runtime/*'
test-asan-runtime test-asan-rest: test-asan-%:
	@$(MAKE) --no-print-directory $(AUTO_JOBS) $(ASAN_VARS) $(ASAN_BUILD)/run_tests
	$(ASAN_ENV) $(ASAN_BUILD)/run_tests $(ASAN_PART_$*)

# The edit loop: the plain suite only (run a subset with
# `build/run_tests -tc='*feature*'`).
check: check-doctest
	@$(MAKE) --no-print-directory $(AUTO_JOBS) $(BUILD)/run_tests
	$(BUILD)/run_tests

# ---- demo, data, model ---------------------------------------------------
demo: $(BUILD)/langid
	$(BUILD)/langid "Language identification works best on a sentence or two of ordinary text."
	$(BUILD)/langid "Der schnelle braune Fuchs springt über den faulen Hund."
	$(BUILD)/langid --top 3 "Le renard brun rapide saute par-dessus le chien paresseux."
	$(BUILD)/langid "Быстрая коричневая лиса прыгает через ленивую собаку."
	$(BUILD)/langid --spans "This part is English. Tämä osa on kirjoitettu suomeksi."
	$(BUILD)/langid "12345 !!!"

bench: $(BUILD)/bench
	$(BUILD)/bench $(BENCH_ARGS)

data:
	python3 tools/corpus/test_corpus.py
	bash tools/corpus/fetch.sh
	python3 tools/corpus/prepare.py
	python3 tools/corpus/make_eval.py

model: $(BUILD)/train $(BUILD)/convert_model $(BUILD)/langid
	bash tools/train/train_langid.sh
	$(MAKE) $(BUILD)/langid
	bash tools/train/model_card.sh

# The 1.1 MB variant (tools/train/langid_config.sh, VARIANT=large): written to
# $(BUILD)/model-large/langid.ffm, not installed into models/.
model-large: $(BUILD)/train $(BUILD)/convert_model
	VARIANT=large OUT=$(BUILD)/model-large INSTALL=0 bash tools/train/train_langid.sh

clean:
	rm -rf $(BUILD)

# Feature areas keep their rules in mk/*.mk (libraries and install, fuzzing, ...).
include $(sort $(wildcard mk/*.mk))

# The sanitized tree is the longer way: make starts it first.
test-steps: $(addprefix test-step-,$(TEST_RUN_ASAN) $(TEST_RUN))
$(addprefix test-step-,$(TEST_RUN)): test-build
$(addprefix test-step-,$(TEST_RUN_ASAN)): test-build-asan

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
