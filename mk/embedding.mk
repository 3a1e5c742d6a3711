# ---- embedding: shared library, install, C API examples, cross CPUs --------
#   make                      also builds build/libffnlp.so.1.0.0 (+ .so.1, .so symlinks)
#   make install PREFIX=DIR   headers, libffnlp.a, libffnlp.so*, lib/pkgconfig/ffnlp.pc
#   make test                 also runs test-embedding: examples (C + Python ctypes),
#                             install into a temp prefix + pkg-config build, alloc counting
#   make tsan-test            the thread test under ThreadSanitizer (build/tsan)
#   make cross-test           the test suite for aarch64, armhf and s390x (big-endian)
#                             under qemu-user (build/cross/<arch>); installs the
#                             cross compilers with apt-get when missing (root)
#   make footprint            -Os build with -Wconversion; prints code sizes
# See docs/EMBEDDING.md.

FFNLP_VERSION := 1.0.0
FFNLP_SOVER   := 1
PREFIX        ?= /usr/local
LIBDIR        ?= $(PREFIX)/lib
INCLUDEDIR    ?= $(PREFIX)/include
CC            ?= cc
PYTHON        ?= python3

SHLIB_REAL   := $(BUILD)/libffnlp.so.$(FFNLP_VERSION)
SHLIB_SONAME := libffnlp.so.$(FFNLP_SOVER)
PIC_OBJS     := $(RUNTIME_OBJS)
# Hidden by default; the public C++ header is force-included with default
# visibility (runtime/src/api/export_public.h) and the C API is marked FFNLP_C_API.
PICFLAGS     := -fPIC -fvisibility=hidden -fvisibility-inlines-hidden -DFFNLP_BUILDING_LIBRARY \
                -include runtime/src/api/export_public.h
PUBLIC_HEADERS := runtime/include/ffnlp/ffnlp.h runtime/include/ffnlp/ffnlp_c.h runtime/include/ffnlp/features.h \
                  runtime/include/ffnlp/toolkit.h \
                  runtime/include/ffnlp/embed.h runtime/include/ffnlp/module.modulemap

.PHONY: shared install uninstall test-embedding test-examples test-install test-alloc \
        test-c89-header tsan-test cross-test footprint

all: $(BUILD)/libffnlp.so
shared: $(BUILD)/libffnlp.so
# make test: built with everything else, run after the sanitizer suite.
test-build: $(BUILD)/examples/detect $(BUILD)/libffnlp.so $(BUILD)/libffnlp.a $(BUILD)/test_alloc
TEST_RUN += test-embedding

$(BUILD)/pic/runtime/%.o: runtime/%.cpp runtime/src/api/export_public.h
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(RTFLAGS) $(PICFLAGS) $(INCLUDES) -c $< -o $@

$(SHLIB_REAL): $(PIC_OBJS)
	$(CXX) -shared -Wl,-soname,$(SHLIB_SONAME) -Wl,-z,defs -Wl,--as-needed $(SAN) -o $@ $^ $(LDLIBS)

$(BUILD)/$(SHLIB_SONAME): $(SHLIB_REAL)
	ln -sf $(notdir $<) $@

$(BUILD)/libffnlp.so: $(BUILD)/$(SHLIB_SONAME)
	ln -sf $(notdir $<) $@

-include $(shell find $(BUILD)/pic $(BUILD)/emb -name '*.d' 2>/dev/null)

# ---- install ---------------------------------------------------------------
install: $(BUILD)/libffnlp.a $(BUILD)/libffnlp.so
	install -d $(DESTDIR)$(INCLUDEDIR)/ffnlp $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 644 $(PUBLIC_HEADERS) $(DESTDIR)$(INCLUDEDIR)/ffnlp/
	install -m 644 $(BUILD)/libffnlp.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(SHLIB_REAL) $(DESTDIR)$(LIBDIR)/
	ln -sf libffnlp.so.$(FFNLP_VERSION) $(DESTDIR)$(LIBDIR)/$(SHLIB_SONAME)
	ln -sf $(SHLIB_SONAME) $(DESTDIR)$(LIBDIR)/libffnlp.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@VERSION@|$(FFNLP_VERSION)|' runtime/ffnlp.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/ffnlp.pc

uninstall:
	rm -rf $(DESTDIR)$(INCLUDEDIR)/ffnlp
	rm -f $(DESTDIR)$(LIBDIR)/libffnlp.a $(DESTDIR)$(LIBDIR)/libffnlp.so* $(DESTDIR)$(LIBDIR)/pkgconfig/ffnlp.pc

# ---- test models and the two embedding mechanisms ----------------------------
# tests/golden/tiny_golden.ffm is checked in (written by build/write_test_model
# with seed 42 on x86-64); tests/runtime/test_embed.cpp includes it with
# FFNLP_EMBED_FILE (.incbin) and links the array generated from it here.
EMB_GOLDEN := tests/golden/tiny_golden.ffm

$(BUILD)/write_test_model: $(call obj,tests/embed/src/write_test_model.cpp) $(BUILD)/toollib.a $(BUILD)/libffnlp.a
	$(CXX) $(CXXFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/emb/tiny_golden_array.cpp: $(EMB_GOLDEN) tools/embed_model/embed_model.py
	@mkdir -p $(dir $@)
	$(PYTHON) tools/embed_model/embed_model.py $< ffnlp_test_golden_array -o $@

$(BUILD)/emb/tiny_golden_array.o: $(BUILD)/emb/tiny_golden_array.cpp
	$(CXX) $(CXXFLAGS) -c $< -o $@

$(call obj,tests/runtime/test_embed.cpp): $(EMB_GOLDEN)
$(BUILD)/run_tests: $(BUILD)/emb/tiny_golden_array.o

# The model the examples and the install test run: the shipped language
# identifier (committed; if it is missing, make stops with "No rule to make
# target" rather than testing something else).
EXAMPLE_MODEL := models/langid.ffm

$(BUILD)/emb/tiny.ffm: $(BUILD)/write_test_model
	@mkdir -p $(dir $@)
	$(BUILD)/write_test_model $@ 42

# ---- examples ----------------------------------------------------------------
EXAMPLE_TEXTS := "The quick brown fox jumps over the lazy dog." \
                 "Der schnelle braune Fuchs springt über den faulen Hund." \
                 "Быстрая коричневая лиса прыгает через ленивую собаку." "12345"

$(BUILD)/examples/detect: examples/detect.c runtime/include/ffnlp/ffnlp_c.h $(BUILD)/libffnlp.so
	@mkdir -p $(dir $@)
	$(CC) -std=c99 -O2 -Wall -Wextra -Werror -Iruntime/include -o $@ $< -L$(BUILD) -lffnlp -Wl,-rpath,'$$ORIGIN/..'

TAG_TEXTS := "Time flies like an arrow." "The cat sat on the mat." "Ünïcödé isn't ASCII, e.g. 3.5 km."

test-examples: $(BUILD)/examples/detect $(BUILD)/libffnlp.so $(EXAMPLE_MODEL) $(BUILD)/postag
	@echo "== examples/detect.c and examples/detect.py with $(EXAMPLE_MODEL)"
	$(BUILD)/examples/detect -m $(EXAMPLE_MODEL) $(EXAMPLE_TEXTS) > $(BUILD)/examples/detect_c.out
	FFNLP_LIBRARY=$(BUILD)/libffnlp.so $(PYTHON) examples/detect.py -m $(EXAMPLE_MODEL) $(EXAMPLE_TEXTS) \
	  > $(BUILD)/examples/detect_py.out
	cat $(BUILD)/examples/detect_c.out
	@test "$$(wc -l < $(BUILD)/examples/detect_c.out)" = 4 || { echo "detect.c: expected 4 lines"; exit 1; }
	@cmp $(BUILD)/examples/detect_c.out $(BUILD)/examples/detect_py.out || { echo "detect.c and detect.py disagree"; exit 1; }
	@! $(BUILD)/examples/detect -m /nonexistent.ffm x 2>/dev/null || { echo "detect: missing model must fail"; exit 1; }
	@echo "== examples/tag.py against build/postag"
	FFNLP_LIBRARY=$(BUILD)/libffnlp.so $(PYTHON) examples/tag.py -m models/pos-en.ffm $(TAG_TEXTS) > $(BUILD)/examples/tag_py.out
	@for t in $(TAG_TEXTS); do $(BUILD)/postag "$$t"; done > $(BUILD)/examples/tag_cli.out
	cat $(BUILD)/examples/tag_py.out
	@test "$$(wc -l < $(BUILD)/examples/tag_py.out)" = 3 || { echo "tag.py: expected 3 lines"; exit 1; }
	@cmp $(BUILD)/examples/tag_py.out $(BUILD)/examples/tag_cli.out || { echo "tag.py and postag disagree"; exit 1; }
	@! FFNLP_LIBRARY=$(BUILD)/libffnlp.so $(PYTHON) examples/tag.py -m $(EXAMPLE_MODEL) x 2>/dev/null || { echo "tag.py: a classifier must be refused"; exit 1; }
	@echo "examples: C and Python agree; tag.py and postag agree"

test-c89-header:
	$(CC) -std=c89 -pedantic -Wall -Wextra -Werror -fsyntax-only -x c runtime/include/ffnlp/ffnlp_c.h -Iruntime/include
	$(CC) -std=c99 -pedantic -Wall -Wextra -Werror -fsyntax-only -x c runtime/include/ffnlp/ffnlp_c.h -Iruntime/include
	$(CXX) -std=c++11 -pedantic -Wall -Wextra -Werror -fsyntax-only -x c++ runtime/include/ffnlp/ffnlp_c.h -Iruntime/include

test-install: $(BUILD)/libffnlp.a $(BUILD)/libffnlp.so $(EXAMPLE_MODEL)
	bash tests/install/test_install.sh $(EXAMPLE_MODEL)

# ---- allocation counting (a separate binary: it replaces malloc and new) ----
$(BUILD)/test_alloc: $(call obj,tests/alloc/src/test_alloc.cpp) $(BUILD)/toollib.a $(BUILD)/libffnlp.a
	$(CXX) $(CXXFLAGS) -o $@ $^ $(LDLIBS)

test-alloc: $(BUILD)/test_alloc
	$(BUILD)/test_alloc

test-embedding: check-doctest
	$(MAKE) test-c89-header
	$(MAKE) test-examples
	$(MAKE) test-install
	$(MAKE) test-alloc

# ---- ThreadSanitizer -------------------------------------------------------------
# The whole suite is built with -fsanitize=thread; the "threads" test suite
# (tests/runtime/test_threads.cpp) is what it is for. setarch -R: TSan's
# shadow layout does not survive high mmap randomisation on newer kernels.
tsan-test: check-doctest
	$(MAKE) BUILD=build/tsan OPT=-O1 SAN="-fsanitize=thread" build/tsan/run_tests
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
	  setarch $$(uname -m) -R build/tsan/run_tests -ts=threads

# ---- cross CPUs under qemu-user --------------------------------------------------
# cross-test-<arch> builds build/cross/<arch>/run_tests with <triple>-g++ and
# runs it under qemu-<arch> -L /usr/<triple> (the suite finds its fixtures from
# any working directory).
CROSS_ARCHS    ?= aarch64 arm s390x
CROSS_aarch64  := aarch64-linux-gnu qemu-aarch64
CROSS_arm      := arm-linux-gnueabihf qemu-arm
CROSS_s390x    := s390x-linux-gnu qemu-s390x
CROSS_PACKAGES := g++-aarch64-linux-gnu g++-arm-linux-gnueabihf g++-s390x-linux-gnu qemu-user
# Test sources left out for one target. tools/train uses unsigned __int128,
# which 32-bit GCC targets lack, so its test is skipped on armhf while it
# does (the runtime itself has no such limitation).
CROSS_EXCLUDE_arm ?= $(if $(shell grep -ls __int128 tools/train/*.h tools/train/*.cpp 2>/dev/null),tests/train/%)
# 32-bit ARM: 64-bit file offsets and inode numbers, else readdir() fails with
# EOVERFLOW on hosts with 64-bit inodes (the tools' directory tests).
CROSS_FLAGS_arm ?= -D_FILE_OFFSET_BITS=64
# Test cases excluded at run time, each with its reason (printed by the run):
# - everywhere under qemu-user: the cases that run the tools as programs
#   (named "convert_model: ..." / "inspect_model: ..." / "langid --model..." /
#   "langid: --only ...", or naming inspect_model, ffm_to_npz or
#   convert_model's report line inside: "lexicon: inspect_model shows ..."): a process emulated by
#   qemu-user cannot exec another foreign binary unless binfmt_misc has qemu
#   registered, so they run only where /proc/sys/fs/binfmt_misc/qemu-<arch>
#   exists;
# - armhf: the npy overflow test expects the 64-bit size_t message (on 32-bit
#   the shape check fires first).
# s390x (big-endian) runs everything else: the readers and writers are
# little-endian on any host (test helpers too).
CROSS_TOOL_CASES := convert_model:*,inspect_model:*,langid --model*,langid: --only*,*inspect_model*,*ffm_to_npz*,*convert_model?s report*
CROSS_EXCLUDE_CASES_arm ?= shape overflow is detected

.PHONY: cross-tools $(addprefix cross-test-,$(CROSS_ARCHS))

cross-tools:
	@missing=; \
	for p in aarch64-linux-gnu-g++ arm-linux-gnueabihf-g++ s390x-linux-gnu-g++ qemu-aarch64 qemu-arm qemu-s390x; do \
	  command -v $$p >/dev/null || missing=1; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then (apt-get install -y $(CROSS_PACKAGES) || (apt-get update && apt-get install -y $(CROSS_PACKAGES))); \
	  else echo "run: sudo apt-get install -y $(CROSS_PACKAGES)"; exit 1; fi; fi

$(addprefix cross-test-,$(CROSS_ARCHS)): cross-test-%: check-doctest cross-tools
	@echo "== $(word 1,$(CROSS_$*)): build$(if $(CROSS_EXCLUDE_$*), (skipping $(CROSS_EXCLUDE_$*)))"
	@t0=$$(date +%s); \
	$(MAKE) --no-print-directory BUILD=build/cross/$* CXX=$(word 1,$(CROSS_$*))-g++ OPT=-O2 EXTRA_CXXFLAGS="-Wno-psabi $(CROSS_FLAGS_$*)" \
	  TEST_SRCS="$(filter-out $(CROSS_EXCLUDE_$*),$(TEST_SRCS))" build/cross/$*/run_tests && \
	excluded=$$(printf '%s\n' "$(if $(wildcard /proc/sys/fs/binfmt_misc/qemu-$*),,$(CROSS_TOOL_CASES))" \
	  "$(CROSS_EXCLUDE_CASES_$*)" | grep -v '^$$' | paste -sd, -) && \
	echo "== $(word 1,$(CROSS_$*)): run under $(word 2,$(CROSS_$*))$${excluded:+, excluding test cases $$excluded (see mk/embedding.mk)}" && \
	$(word 2,$(CROSS_$*)) -L /usr/$(word 1,$(CROSS_$*)) build/cross/$*/run_tests $${excluded:+-tce="$$excluded"} && \
	echo "== $(word 1,$(CROSS_$*)): passed in $$(( $$(date +%s) - t0 )) s"

# One target after the other (each build uses the -j given to make).
cross-test: check-doctest cross-tools
	@start=$$(date +%s); set -e; for a in $(CROSS_ARCHS); do $(MAKE) --no-print-directory cross-test-$$a; done; \
	echo "cross-test: $(CROSS_ARCHS) passed in $$(( $$(date +%s) - start )) s"

# ---- footprint ---------------------------------------------------------------------
FOOT := build/os
footprint:
	$(MAKE) --no-print-directory BUILD=$(FOOT) OPT=-Os EXTRA_CXXFLAGS="-Wconversion" $(FOOT)/libffnlp.a $(FOOT)/libffnlp.so
	@mkdir -p $(FOOT)/foot
	strip --strip-unneeded -o $(FOOT)/foot/libffnlp.a $(FOOT)/libffnlp.a
	strip --strip-unneeded -o $(FOOT)/foot/libffnlp.so $(FOOT)/libffnlp.so.$(FFNLP_VERSION)
	$(CC) -std=c99 -Os -Iruntime/include -o $(FOOT)/foot/minimal_c tests/install/minimal.c $(FOOT)/libffnlp.a \
	  -Wl,--gc-sections -lstdc++ -lm
	printf 'int main(void){return 0;}\n' | $(CC) -std=c99 -Os -o $(FOOT)/foot/empty_c -x c -
	strip $(FOOT)/foot/minimal_c $(FOOT)/foot/empty_c
	@echo "== stripped static library (per object)"; size -t $(FOOT)/foot/libffnlp.a | tail -n +1
	@echo "== stripped shared library"; size $(FOOT)/foot/libffnlp.so
	@echo "== minimal C program (create from file, classify) vs empty C program"; size $(FOOT)/foot/minimal_c $(FOOT)/foot/empty_c
