# ---- bindings: the Python package, the WebAssembly/JavaScript package, Dask -------
#   make test-python   (part of make test) pip-installs bindings/python into a
#                      throw-away venv (--system-site-packages, --no-build-isolation,
#                      no index) and runs its unittest suite against the C API and CLI
#   make js-test       the runtime in WebAssembly (emscripten), Node tests, the npm
#                      tarball installed and imported, the demo in headless Chromium
#   make js-bench      texts/s and accuracy in Node next to franc, eld, cld3-asm and
#                      fasttext.wasm.js (PEERS_DIR: an npm-installed peers harness)
#   make dask-test     examples/dask_langid.py on a generated partitioned dataset
# Debian packages are installed with apt-get when missing (as root), as the rest
# of the build does. See bindings/python/README.md and bindings/js/README.md.

BIND_BUILD   := $(BUILD)/bindings
# Debian's interpreter: the venv sees its packages (setuptools, wheel, dask).
BIND_PYTHON  ?= $(if $(wildcard /usr/bin/python3),/usr/bin/python3,python3)
PY_VENV      := $(BIND_BUILD)/venv
PY_PACKAGES  := python3-dev python3-venv python3-setuptools python3-wheel
# Every runtime source, whatever its folder.
BIND_RUNTIME_SRCS := $(shell find runtime/src -name '*.cpp' | sort)

.PHONY: test-python python-deps python-venv js-test js-build js-deps js-node-test js-pack-test \
        js-browser-test js-demo js-bench dask-test dask-deps

test: test-python

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

# ---- Python --------------------------------------------------------------------------
PY_CHECK := $(BIND_PYTHON) -c "import ensurepip, setuptools, wheel, sysconfig, os; \
  assert os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h'))"
python-deps:
	$(call apt_ensure,$(PY_PACKAGES),$(PY_CHECK))

# A fresh venv each time: what `pip install ./bindings/python` gives a user.
python-venv: python-deps
	rm -rf $(PY_VENV)
	$(BIND_PYTHON) -m venv --system-site-packages $(PY_VENV)
	FFNLP_BUILD_JOBS=2 $(PY_VENV)/bin/pip install --quiet --no-build-isolation --no-index --no-deps ./bindings/python

PY_TEST_ENV := FFNLP_MODEL=$(CURDIR)/models/langid.ffm FFNLP_CAPI_DUMP=$(CURDIR)/$(BIND_BUILD)/capi_dump \
               FFNLP_LANGID=$(CURDIR)/$(BUILD)/langid

test-python: $(BIND_BUILD)/capi_dump $(BUILD)/langid
	$(MAKE) --no-print-directory python-venv
	cd $(BIND_BUILD) && $(PY_TEST_ENV) $(CURDIR)/$(PY_VENV)/bin/python -m unittest discover \
	  -s $(CURDIR)/bindings/python/tests -t $(CURDIR)/bindings/python/tests
