// What the trainer hands to convert_model: the float arrays (langid.npz) and
// the model specification (langid.spec), plus the 8-bit simulation used to
// report what quantization costs.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tools/common/npy.h"
#include "tools/train/dataset.h"
#include "tools/train/model.h"

namespace ffnlp {
namespace train {

// The channels' tables (emb_ngram<order>, emb_script, emb_word), hidden_w,
// hidden_b, output_w, output_b: float32, C order.
std::map<std::string, tools::NpyArray> model_arrays(const ModelConfig& cfg, const Params& prm);

// The inverse of model_arrays (train --init): fills prm from the arrays of a
// trainer's langid.npz. Every array must be there, float32, with the shape
// this configuration gives it; the output layer is taken as it is, so the
// file must come from a run with --temperature 1.
void params_from_arrays(const ModelConfig& cfg, const std::map<std::string, tools::NpyArray>& arrays,
                        Params* prm);

struct SpecInfo {
  std::string license;
  std::string command;  // written as a comment
  float reliable_probability = 0.7f;
  uint32_t reliable_letters = 3;
  uint32_t reliable_short_letters = 0;  // 0: no short-text tier in the spec
  float reliable_short_probability = 1.0f;
  std::vector<double> prior;  // per label, relative weights > 0; empty: no [prior]
};

// Writers per language code from tools/train/language_prior.py's output
// (CODE<TAB>WRITERS<TAB>...; '#' lines are comments).
std::map<std::string, double> read_writers(const std::string& path);

// Relative prior weights (writers / most writers)^strength per label, in
// label order. A label the file lacks is an error.
std::vector<double> prior_weights(const std::map<std::string, double>& writers, const LabelSet& labels,
                                  float strength);
// The spec text (docs/SPEC.md format), channels in input-vector order and
// labels in output order.
std::string spec_text(const SpecInfo& info, const ModelConfig& cfg, const LabelSet& labels);

// A copy whose embedding rows (and with quantize_dense the hidden and
// output weight rows) went through quantize_row (ffnlp/toolkit.h, zero point
// 128, half-up) and back, the 4-bit tables through quantize_row_q4 or, with
// bf16 scales, quantize_row_q4_bf16, the 3-bit ones through
// quantize_row_q3_bf16: what the runtime computes with.
Params quantized_copy(const ModelConfig& cfg, const Params& prm);

}  // namespace train
}  // namespace ffnlp
