# ffnlp: build, test, sanitize, benchmark.
#   make            runtime libraries, tools and the langid demo into build/
#   make test       the doctest suite, plain and under ASan+UBSan
#   make demo       the language identifier on a few sample texts
#   make bench      the benchmark program (prints figures; no timing asserts)
#   make data       fetch and prepare training text and evaluation sets into data/ (not in git)
#   make model      retrain and reconvert models/langid.ffm from data/

BUILD    ?= build
CXX      ?= g++
OPT      ?= -O2
SAN      ?=
WARN     := -Wall -Wextra -Wshadow
# -ffp-contract=off: no implicit fused multiply-adds anywhere (the reference
# kernels mean the same on every CPU; inline kernels compile the same in every
# translation unit). FMA only where a kernel asks for it explicitly.
CXXFLAGS := -std=c++17 $(OPT) -g $(WARN) -ffp-contract=off $(SAN) -MMD -MP $(EXTRA_CXXFLAGS)
RTFLAGS  := -fno-exceptions -fno-rtti
INCLUDES := -Iruntime/include -Iruntime/src -I. -Itests
LDLIBS   := -pthread

RUNTIME_SRCS := $(wildcard runtime/src/*/*.cpp)
TOOLLIB_SRCS := $(wildcard tools/common/*.cpp) tools/convert_model/model_spec.cpp \
                tools/convert_model/quantize_matrix.cpp tools/convert_model/converter.cpp \
                $(filter-out tools/langid/main.cpp,$(wildcard tools/langid/*.cpp))
TEST_SRCS    := $(wildcard tests/*.cpp tests/*/*.cpp)

obj = $(patsubst %.cpp,$(BUILD)/obj/%.o,$(1))
RUNTIME_OBJS := $(call obj,$(RUNTIME_SRCS))
TOOLLIB_OBJS := $(call obj,$(TOOLLIB_SRCS))

PROGRAMS := convert_model inspect_model train langid bench
# Sources of one program: its folder, minus what the tool library already holds.
prog_srcs = $(filter-out $(TOOLLIB_SRCS),$(wildcard tools/$(1)/*.cpp))

.PHONY: all test test-plain test-asan demo bench data model clean check-doctest
all: $(BUILD)/libffnlp.a $(foreach p,$(PROGRAMS),$(if $(wildcard tools/$(p)/*.cpp),$(BUILD)/$(p)))

$(BUILD)/obj/runtime/%.o: runtime/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(RTFLAGS) $(INCLUDES) -c $< -o $@

$(BUILD)/obj/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(INCLUDES) -c $< -o $@

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

$(BUILD)/run_tests: $(call obj,$(TEST_SRCS)) $(BUILD)/toollib.a $(BUILD)/libffnlp.a
	$(CXX) $(CXXFLAGS) -o $@ $^ $(LDLIBS)

test: check-doctest
	$(MAKE) test-plain
	$(MAKE) test-asan

test-plain:
	$(MAKE) $(BUILD)/run_tests $(BUILD)/convert_model $(BUILD)/inspect_model $(BUILD)/langid
	cd tests && ../$(BUILD)/run_tests

test-asan:
	$(MAKE) BUILD=build/asan OPT=-O1 SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  build/asan/run_tests
	cd tests && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ../build/asan/run_tests

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

clean:
	rm -rf $(BUILD)

# Feature areas keep their rules in mk/*.mk (libraries and install, fuzzing, ...).
include $(sort $(wildcard mk/*.mk))

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
