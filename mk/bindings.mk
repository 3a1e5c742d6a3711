# ---- bindings: the Python package, the WebAssembly/JavaScript package, Dask -------
#   make test-python   (part of make test) pip-installs bindings/python into a
#                      throw-away venv (--system-site-packages, --no-build-isolation,
#                      no index; linked to this build's libffnlp.a) and runs its
#                      unittest suite against the C API and CLI
#   make js-test       the runtime in WebAssembly (emscripten), Node tests, the npm
#                      tarball installed and imported, the demo in headless Chromium
#   make js-bench      texts/s and accuracy in Node next to franc, eld, cld3-asm and
#                      fasttext.wasm.js (PEERS_DIR: an npm-installed peers harness)
#   make dask-test     examples/dask_langid.py on a generated partitioned dataset
#                      (its venv: the package built wholly from source)
# Debian packages are installed with apt-get when missing (as root), as the rest
# of the build does. See bindings/python/README.md and bindings/js/README.md.

BIND_BUILD   := $(BUILD)/bindings
# Debian's interpreter: the venv sees its packages (setuptools, wheel, dask).
BIND_PYTHON  ?= $(if $(wildcard /usr/bin/python3),/usr/bin/python3,python3)
PY_VENV      := $(BIND_BUILD)/venv
PY_PACKAGES  := python3-dev python3-venv python3-setuptools python3-wheel
# Every runtime source, whatever its folder.
BIND_RUNTIME_SRCS := $(shell find runtime/src -name '*.cpp' | sort)
BIND_INCLUDES := -Iruntime/include -Iruntime/src -I. -Ibindings/common

.PHONY: test-python readme-examples python-deps python-venv js-test js-build js-deps js-node-test js-site js-demo \
        js-browser-test js-size js-types js-bench dask-test dask-deps

# make test: the C API dumper and langid built with everything else; the venv
# (its own compile of the runtime) when the suites have run.
test-build: $(BIND_BUILD)/capi_dump $(BUILD)/langid
TEST_RUN += test-python

# apt-get install $(1) when `$(2)` fails (root only; else say what to install).
define apt_ensure
	@$(2) >/dev/null 2>&1 || { \
	  echo "installing $(1) with apt-get"; \
	  if [ "$$(id -u)" = 0 ]; then export DEBIAN_FRONTEND=noninteractive; \
	    (apt-get install -y --no-install-recommends $(1) || (apt-get update && apt-get install -y --no-install-recommends $(1))); \
	  else echo "run: sudo apt-get install -y $(1)"; exit 1; fi; }
endef

# The C API alone, for the packages' tests to compare with.
$(BIND_BUILD)/capi_dump: bindings/common/capi_dump.c runtime/include/ffnlp/ffnlp_c.h $(BUILD)/libffnlp.a
	@mkdir -p $(dir $@)
	$(CC) -std=c99 -O2 -Wall -Wextra -Werror -Iruntime/include -c $< -o $@.o
	$(CXX) -o $@ $@.o $(BUILD)/libffnlp.a $(LDLIBS)

# The same with the runtime's SSE2 kernels (no AVX2 dispatch): the kernels
# the WebAssembly build runs, so its numbers must match bit for bit (x86-64).
BIND_SSE2_OBJS := $(patsubst %.cpp,$(BIND_BUILD)/sse2/%.o,$(BIND_RUNTIME_SRCS))
$(BIND_BUILD)/sse2/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(RTFLAGS) -DFFNLP_NO_AVX2 $(BIND_INCLUDES) -c $< -o $@

$(BIND_BUILD)/capi_dump_sse2: $(BIND_BUILD)/capi_dump $(BIND_SSE2_OBJS)
	$(CXX) -o $@ $(BIND_BUILD)/capi_dump.o $(BIND_SSE2_OBJS) $(LDLIBS)

-include $(shell find $(BIND_BUILD)/sse2 -name '*.d' 2>/dev/null)

# ---- Python --------------------------------------------------------------------------
PY_CHECK := $(BIND_PYTHON) -c "import ensurepip, setuptools, wheel, sysconfig, os; \
  assert os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h'))"
python-deps:
	$(call apt_ensure,$(PY_PACKAGES),$(PY_CHECK))

# A venv with the package installed as a user would: pip install ./bindings/python.
# make test's venv links the runtime this build compiled ($(BUILD)/libffnlp.a:
# position-independent, the same sources; FFNLP_RUNTIME_LIB) rather than
# compiling it a third time; dask-test's venv is built wholly from source,
# setup.py compiling runtime/src (.ci/run runs both).
PY_VENV_SOURCE := $(BIND_BUILD)/venv-source
PY_PACKAGE_SRCS := $(shell find bindings/python/src bindings/python/native bindings/common -type f) \
                   bindings/python/setup.py bindings/python/pyproject.toml tools/langid/spans.cpp \
                   tools/langid/spans.h models/langid.ffm $(BIND_RUNTIME_SRCS) $(shell find runtime -name '*.h')
# py_venv_rule DIR, extra prerequisites, environment of pip install
define py_venv_rule
$(1)/installed: $(PY_PACKAGE_SRCS) $(2)
	$$(MAKE) --no-print-directory python-deps
	rm -rf $(1) bindings/python/build
	$$(BIND_PYTHON) -m venv --system-site-packages $(1)
	$(3) FFNLP_BUILD_JOBS=2 $(1)/bin/pip install --quiet --no-build-isolation --no-index --no-deps ./bindings/python
	rm -rf bindings/python/build bindings/python/src/ffnlp.egg-info
	touch $$@
endef
$(eval $(call py_venv_rule,$(PY_VENV),$(BUILD)/libffnlp.a,FFNLP_RUNTIME_LIB=$(CURDIR)/$(BUILD)/libffnlp.a))
$(eval $(call py_venv_rule,$(PY_VENV_SOURCE),,))

# make test: always a throw-away venv.
python-venv:
	rm -f $(PY_VENV)/installed
	$(MAKE) --no-print-directory $(PY_VENV)/installed

PY_TEST_ENV := FFNLP_MODEL=$(CURDIR)/models/langid.ffm FFNLP_CAPI_DUMP=$(CURDIR)/$(BIND_BUILD)/capi_dump \
               FFNLP_LANGID=$(CURDIR)/$(BUILD)/langid FFNLP_TAGGER=$(CURDIR)/models/pos-en.ffm \
               FFNLP_POSTAG=$(CURDIR)/$(BUILD)/postag

test-python: $(BIND_BUILD)/capi_dump $(BUILD)/langid $(BUILD)/postag $(BUILD)/libffnlp.a
	$(MAKE) --no-print-directory python-venv
	cd $(BIND_BUILD) && $(PY_TEST_ENV) $(CURDIR)/$(PY_VENV)/bin/python -m unittest discover \
	  -s $(CURDIR)/bindings/python/tests -t $(CURDIR)/bindings/python/tests
	$(MAKE) --no-print-directory readme-examples

# The README's C and Python examples, run as they are, print what it shows.
README_EX := $(BIND_BUILD)/readme
readme-examples: $(BUILD)/libffnlp.a $(PY_VENV)/installed
	$(PYTHON) bindings/tools/readme_examples.py extract README.md $(README_EX)
	$(CC) -std=c99 -Wall -Wextra -Werror -Iruntime/include $(README_EX)/langid.c -o $(README_EX)/langid \
	  $(BUILD)/libffnlp.a -lstdc++ -lm $(LDLIBS)
	$(README_EX)/langid > $(README_EX)/langid.c.out
	$(PYTHON) bindings/tools/readme_examples.py check README.md langid.c $(README_EX)/langid.c.out
	$(PY_VENV)/bin/python $(README_EX)/langid.py > $(README_EX)/langid.py.out
	$(PYTHON) bindings/tools/readme_examples.py check README.md langid.py $(README_EX)/langid.py.out

# ---- WebAssembly + JavaScript ------------------------------------------------------------
# The runtime, the shared layer and the spans algorithm compiled by Debian's
# emscripten into one standalone .wasm (no emscripten JS: bindings/js/src/core.js
# instantiates it), then staged with the package's files into $(JS_BUILD)/package.
# WebAssembly SIMD: the runtime's SSE2 kernels, translated by emscripten
# (-msse2), about twice as fast as its portable loops and bit-identical to the
# native SSE2 build ($(BIND_BUILD)/capi_dump_sse2 checks it); -O3 is 1.5-2x
# faster than -Oz for 6 KB more (gzip). bindings/js/native/sse2_conversions.h
# replaces emscripten's scalar float->int conversions with exact SIMD ones.
EMCC       ?= emcc
JS_BUILD   := $(BUILD)/js
JS_PKG     := $(JS_BUILD)/package
JS_VERSION := $(shell sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' bindings/js/package.json 2>/dev/null)
JS_TARBALL := $(JS_BUILD)/ffnlp-$(JS_VERSION).tgz
JS_SRCS    := $(BIND_RUNTIME_SRCS) bindings/common/ffnlp_bind.cpp tools/langid/spans.cpp
JS_OBJS    := $(patsubst %.cpp,$(JS_BUILD)/obj/%.o,$(JS_SRCS))
JS_DEFINES := $(if $(shell grep -l ffnlp_classify_ex runtime/include/ffnlp/ffnlp_c.h),-DFFNLPB_HAVE_CLASSIFY_EX=1)
EMFLAGS    := -std=c++17 -O3 -flto -msimd128 -msse2 -DFFNLP_NO_AVX2 -fno-exceptions -fno-rtti -DNDEBUG \
              -Wall -Wextra -Wshadow -include bindings/js/native/sse2_conversions.h
JS_EXPORTS := malloc free ffnlp_version ffnlp_status_name ffnlp_model_scratch_size ffnlp_model_label_count \
              ffnlp_model_label ffnlp_model_label_name ffnlp_model_find_label ffnlp_model_task ffnlp_model_name \
              ffnlp_model_unknown_label ffnlp_model_is_classifier ffnlp_model_is_tagger ffnlp_model_file_size \
              ffnlpb_has_classify_options ffnlpb_model_from_bytes ffnlpb_model_free ffnlpb_model_c \
              ffnlp_default_prefer_weight ffnlpb_max_prefer_weight \
              ffnlpb_classify ffnlpb_spans ffnlpb_spans_free ffnlp_tag ffnlp_tag_tokens
comma := ,
EMLDFLAGS  := -O3 -flto -msimd128 -sSTANDALONE_WASM --no-entry -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=1048576 \
              -sTOTAL_STACK=131072 -sMALLOC=emmalloc \
              -sEXPORTED_FUNCTIONS=$(subst $(eval) ,$(comma),$(addprefix _,$(JS_EXPORTS)))

js-deps:
	$(call apt_ensure,nodejs npm,command -v node && command -v npm)
	$(call apt_ensure,emscripten,command -v $(EMCC))

# Rebuilt when the flags change (the file holds them).
JS_FLAGS := $(JS_BUILD)/flags
$(JS_FLAGS): FORCE
	@mkdir -p $(dir $@)
	@echo '$(EMFLAGS) $(JS_DEFINES) | $(EMLDFLAGS)' | cmp -s - $@ || echo '$(EMFLAGS) $(JS_DEFINES) | $(EMLDFLAGS)' > $@
.PHONY: FORCE
FORCE:

$(JS_BUILD)/obj/%.o: %.cpp $(JS_FLAGS) bindings/js/native/sse2_conversions.h
	@mkdir -p $(dir $@)
	$(EMCC) $(EMFLAGS) $(JS_DEFINES) $(BIND_INCLUDES) -MMD -MP -c $< -o $@

$(JS_BUILD)/ffnlp.wasm: $(JS_OBJS) $(JS_FLAGS)
	$(EMCC) $(EMLDFLAGS) -o $@ $(JS_OBJS)

-include $(shell find $(JS_BUILD)/obj -name '*.d' 2>/dev/null)

JS_PKG_FILES := $(JS_PKG)/package.json $(JS_PKG)/README.md $(JS_PKG)/index.js $(JS_PKG)/index.d.ts \
                $(JS_PKG)/core.js $(JS_PKG)/core.d.ts $(JS_PKG)/ffnlp.wasm $(JS_PKG)/langid.ffm

$(JS_PKG)/%: bindings/js/src/%
	@mkdir -p $(dir $@)
	cp $< $@
$(JS_PKG)/package.json: bindings/js/package.json
	@mkdir -p $(dir $@)
	cp $< $@
$(JS_PKG)/README.md: bindings/js/README.md
	@mkdir -p $(dir $@)
	cp $< $@
$(JS_PKG)/ffnlp.wasm: $(JS_BUILD)/ffnlp.wasm
	@mkdir -p $(dir $@)
	cp $< $@
$(JS_PKG)/langid.ffm: models/langid.ffm
	@mkdir -p $(dir $@)
	cp $< $@

js-build: js-deps
	$(MAKE) --no-print-directory $(JS_PKG_FILES)

# npm pack of the staged package; the Node tests then run against the tarball
# installed into a fresh consumer project (offline: it has no dependencies).
$(JS_TARBALL): $(JS_PKG_FILES)
	cd $(JS_PKG) && npm pack --silent --pack-destination .. >/dev/null
	@test -f $@ || { echo "npm pack did not write $@"; exit 1; }

JS_CONSUMER := $(JS_BUILD)/consumer
# On x86-64 the WebAssembly numbers must equal the SSE2 build's exactly.
JS_EXACT    := $(if $(filter x86_64,$(shell uname -m)),$(BIND_BUILD)/capi_dump_sse2)
JS_SSE2_CHECK := $(if $(JS_EXACT),$(JS_BUILD)/sse2_conversions.ok)
JS_TEST_ENV := FFNLP_MODEL=$(CURDIR)/models/langid.ffm FFNLP_CAPI_DUMP=$(CURDIR)/$(BIND_BUILD)/capi_dump \
               FFNLP_LANGID=$(CURDIR)/$(BUILD)/langid $(if $(JS_EXACT),FFNLP_CAPI_DUMP_SSE2=$(CURDIR)/$(JS_EXACT)) \
               FFNLP_TAGGER=$(CURDIR)/models/pos-en.ffm FFNLP_POSTAG=$(CURDIR)/$(BUILD)/postag

# The README examples: the top-level one (built-in model) and the package's
# tagging one (it reads models/pos-en.ffm, which the package does not carry).
js-node-test: js-build $(BIND_BUILD)/capi_dump $(JS_EXACT) $(BUILD)/langid $(BUILD)/postag $(JS_SSE2_CHECK)
	$(MAKE) --no-print-directory $(JS_TARBALL)
	rm -rf $(JS_CONSUMER) && mkdir -p $(JS_CONSUMER)/test
	cp bindings/js/test/*.mjs $(JS_CONSUMER)/test/
	printf '{ "name": "ffnlp-consumer", "private": true, "type": "module" }\n' > $(JS_CONSUMER)/package.json
	cd $(JS_CONSUMER) && npm install --offline --no-audit --no-fund --silent $(CURDIR)/$(JS_TARBALL)
	cd $(JS_CONSUMER) && $(JS_TEST_ENV) node --test test/*.test.mjs
	$(PYTHON) bindings/tools/readme_examples.py extract README.md $(JS_CONSUMER)/readme
	cp $(JS_CONSUMER)/readme/langid.mjs $(JS_CONSUMER)/langid.mjs
	cd $(JS_CONSUMER) && node langid.mjs > readme/langid.mjs.out
	$(PYTHON) bindings/tools/readme_examples.py check README.md langid.mjs $(JS_CONSUMER)/readme/langid.mjs.out
	$(PYTHON) bindings/tools/readme_examples.py extract bindings/js/README.md $(JS_CONSUMER)/readme-js
	mkdir -p $(JS_CONSUMER)/models && cp models/pos-en.ffm $(JS_CONSUMER)/models/
	cp $(JS_CONSUMER)/readme-js/tag.mjs $(JS_CONSUMER)/tag.mjs
	cd $(JS_CONSUMER) && node tag.mjs > readme-js/tag.mjs.out
	$(PYTHON) bindings/tools/readme_examples.py check bindings/js/README.md tag.mjs $(JS_CONSUMER)/readme-js/tag.mjs.out
	$(MAKE) --no-print-directory js-types

# On x86-64: bindings/js/native/sse2_conversions.h against the real SSE2
# instructions, on edge values and 16 million bit patterns (a stamp file).
# It needs emcc and node: after js-deps (order only), which under -j would
# otherwise still be installing them.
JS_CONV_SRC := bindings/js/test/native/sse2_conversions_check.c
$(JS_BUILD)/sse2_conversions.ok: $(JS_CONV_SRC) bindings/js/native/sse2_conversions.h bindings/js/test/native/run_wasi.mjs | js-deps
	@mkdir -p $(dir $@)
	$(CC) -std=c99 -O2 -Wall -Wextra -Werror -msse2 $(JS_CONV_SRC) -o $(JS_BUILD)/conv_native -lm
	$(EMCC) -std=c99 -O2 -Wall -Wextra -Werror -msimd128 -msse2 -sSTANDALONE_WASM \
	  -include bindings/js/native/sse2_conversions.h $(JS_CONV_SRC) -o $(JS_BUILD)/conv.wasm
	$(JS_BUILD)/conv_native > $(JS_BUILD)/conv_native.txt
	node --no-warnings bindings/js/test/native/run_wasi.mjs $(JS_BUILD)/conv.wasm > $(JS_BUILD)/conv_wasm.txt
	cmp $(JS_BUILD)/conv_native.txt $(JS_BUILD)/conv_wasm.txt
	@echo "sse2_conversions.h: the same integers as SSE2 on $$(wc -l < $(JS_BUILD)/conv_native.txt) lines and the hash"
	touch $@

# The TypeScript declarations, checked by Debian's tsc (--strict) against a
# usage file, in the consumer project that has the tarball installed.
js-types:
	$(call apt_ensure,node-typescript,command -v tsc)
	rm -rf $(JS_CONSUMER)/types && mkdir -p $(JS_CONSUMER)/types
	cp bindings/js/test/types/* $(JS_CONSUMER)/types/
	cd $(JS_CONSUMER) && tsc -p types/tsconfig.json
	@echo "js-types: the declarations compile with tsc --strict"

# The demo page with the package beside it: $(JS_SITE)/{index.html, demo.js, demo.css, ffnlp/}.
JS_SITE := $(JS_BUILD)/site
CHROMIUM ?= /usr/bin/chromium

js-site: js-build
	rm -rf $(JS_SITE) && mkdir -p $(JS_SITE)/ffnlp
	cp bindings/js/demo/* $(JS_SITE)/
	cp $(JS_PKG)/*.js $(JS_PKG)/*.d.ts $(JS_PKG)/ffnlp.wasm $(JS_PKG)/langid.ffm $(JS_SITE)/ffnlp/

# The demo on http://127.0.0.1:8080/ (DEMO_PORT), until Ctrl-C.
DEMO_PORT ?= 8080
js-demo: js-site
	node bindings/js/tools/serve.mjs $(JS_SITE) $(DEMO_PORT)

# A Japanese font too, so that the screenshots show the text typed (2 MB).
js-browser-test: js-site
	$(call apt_ensure,chromium,test -x $(CHROMIUM))
	$(call apt_ensure,fonts-vlgothic,fc-list :lang=ja | grep -q .)
	FFNLP_SITE=$(CURDIR)/$(JS_SITE) FFNLP_CHROMIUM=$(CHROMIUM) FFNLP_SCREENSHOTS=$(CURDIR)/$(JS_BUILD)/screenshots \
	  node --test bindings/js/test/browser/demo.browser.test.mjs

# What a browser downloads for the built-in model, gzip -9: at most 450 KB.
JS_SIZE_BUDGET := 460800
js-size: js-build
	@total=0; for f in ffnlp.wasm index.js core.js langid.ffm; do \
	  raw=$$(wc -c < $(JS_PKG)/$$f); gz=$$(gzip -9 -c $(JS_PKG)/$$f | wc -c); total=$$((total + gz)); \
	  printf '%-12s %8d bytes  %8d gzip\n' $$f $$raw $$gz; done; \
	printf '%-12s %8s        %8d gzip (budget %d)\n' total '' $$total $(JS_SIZE_BUDGET); \
	test $$total -le $(JS_SIZE_BUDGET) || { echo "js-size: over the budget"; exit 1; }

# One after the other (each uses the -j given to make for its compiles).
js-test:
	$(MAKE) --no-print-directory js-node-test
	$(MAKE) --no-print-directory js-size
	$(MAKE) --no-print-directory js-browser-test

# ---- speed and accuracy next to the JavaScript peers ---------------------------------
# PEERS_DIR: an npm-installed copy of the peers harness (not in this repository);
# the eval file is data/heldout.tsv when present, else the harness's UDHR sample.
PEERS_DIR  ?= ../peers
BENCH_EVAL ?= $(if $(wildcard data/heldout.tsv),data/heldout.tsv,$(PEERS_DIR)/sample_udhr.tsv)
BENCH_RUNS ?= 5
BENCH_ARGS_PEERS ?= --min-time 2
js-bench: js-node-test
	@set -e; files=; for i in $$(seq $(BENCH_RUNS)); do \
	  echo "== run $$i of $(BENCH_RUNS)"; \
	  bash bindings/js/bench/bench.sh $(abspath $(PEERS_DIR)) $(CURDIR)/$(JS_TARBALL) $(CURDIR)/$(JS_BUILD)/peers \
	    $(abspath $(BENCH_EVAL)) $(BENCH_ARGS_PEERS) --json $(CURDIR)/$(JS_BUILD)/bench-$$i.json | grep '^|'; \
	  files="$$files $(JS_BUILD)/bench-$$i.json"; done; \
	node bindings/js/bench/summarize.mjs $$files | tee $(JS_BUILD)/bench-summary.md

# ---- Dask -------------------------------------------------------------------------------
DASK_PACKAGES := python3-dask python3-distributed
dask-deps:
	$(call apt_ensure,$(DASK_PACKAGES),$(BIND_PYTHON) -c "import dask$(comma) distributed")

dask-test: dask-deps $(PY_VENV_SOURCE)/installed
	cd $(BIND_BUILD) && FFNLP_DASK_EXAMPLE=$(CURDIR)/examples/dask_langid.py $(CURDIR)/$(PY_VENV_SOURCE)/bin/python -m unittest \
	  discover -v -s $(CURDIR)/bindings/python/cluster_tests -t $(CURDIR)/bindings/python/cluster_tests
