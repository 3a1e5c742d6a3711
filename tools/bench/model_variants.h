// Models the benchmark builds in-process: a random model of the shipped
// shape (when no model file is given), and the float32-embedding twin of a
// quantized model.
#pragma once

#include <cstdint>
#include <vector>

#include "ffnlp/ffnlp.h"

namespace bench {

// Channels 1..4-gram (1000, 3000, 6000, 6000 buckets x 16, seeds 1001..1004)
// + script (8 dims), hidden 64 ReLU, `labels` outputs: tools/train defaults.
std::vector<uint8_t> build_synthetic_model(uint32_t labels, uint32_t seed);

// The same model with every q8_row tensor replaced by its dequantized f32
// values ((q - zero_point) * scale, exactly what the runtime computes), and
// all metadata copied. `bytes` is the file `model` was loaded from.
std::vector<uint8_t> build_float_twin(const ffnlp::Model& model, const uint8_t* bytes);

}  // namespace bench
