# ---- command-line tools (langid; later postag) ------------------------------
#   make test                 also runs test-langid-memory: the langid command's
#                             peak heap on long lines and many lines, measured by
#                             the allocation hooks of tools/bench/alloc_hooks.cpp
#                             (a separate binary: it replaces malloc and new)
# See docs/CLI.md.

.PHONY: test-langid-memory
test: test-langid-memory

$(BUILD)/test_langid_memory: $(call obj,tests/alloc/src/test_langid_memory.cpp tools/bench/alloc_hooks.cpp) \
                             $(BUILD)/toollib.a $(BUILD)/libffnlp.a
	$(CXX) $(CXXFLAGS) -o $@ $^ $(LDLIBS)

test-langid-memory: $(BUILD)/test_langid_memory
	$(BUILD)/test_langid_memory
