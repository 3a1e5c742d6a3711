# ---- interop: the PyTorch path, checked against real PyTorch ------------------------
#   make interop-test   (not part of make test; about a minute) with Debian's
#                       python3-torch and python3-numpy (installed with apt-get
#                       when missing, as root): tests/interop/run_all.py
#     (a) convert_model --rounding half-even bytes = torch.quantize_per_channel's
#         int_repr() on > 100,000 values (ties, zeros, all-zero, tiny, huge rows)
#     (b) torch's quantized nn.Embedding / EmbeddingBag and qint8 tables imported,
#         values = dequantize() bit for bit; missing zero points refused
#     (c) a PyTorch-trained classifier on the runtime's features (features-only
#         file + ffnlp_text_features), converted, run through the C API (ctypes):
#         probabilities within 2e-4 of torch's (integer 8-bit kernel)
#     (d) a PyTorch-trained window tagger on the runtime's token features
#         (features-only token file + ffnlp_token_features, prev_label
#         decoded greedily in torch), converted, run through ffnlp_tag_tokens
#         and ffnlp_tag: every label the same, probabilities within 2e-4
#   make interop-fixtures  regenerates tests/tools/torch_fixtures.h (the C++
#                       suite's torch-made tables) with the installed torch
# apt_ensure: mk/bindings.mk.

INTEROP_PYTHON   ?= /usr/bin/python3
INTEROP_PACKAGES := python3-torch python3-numpy

.PHONY: interop-test interop-deps interop-fixtures

interop-deps:
	$(call apt_ensure,$(INTEROP_PACKAGES),$(INTEROP_PYTHON) -c "import torch; import numpy")

interop-test: interop-deps
	$(MAKE) $(BUILD)/convert_model $(BUILD)/inspect_model $(BUILD)/libffnlp.so
	FFNLP_BUILD=$(abspath $(BUILD)) $(INTEROP_PYTHON) tests/interop/run_all.py

interop-fixtures: interop-deps
	$(INTEROP_PYTHON) tests/interop/gen_torch_fixtures.py
