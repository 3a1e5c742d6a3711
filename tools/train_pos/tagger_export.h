// What the tagger trainer hands to convert_model: the float arrays (one
// table per channel, emb_<name>; hidden_w, hidden_b, output_w, output_b)
// and the model specification (docs/SPEC.md), channels in input order and
// the 12 universal tags as labels. The word vocabulary goes to its own file,
// one word per line in row order, named in the spec.
#pragma once

#include <map>
#include <string>

#include "tools/common/npy.h"
#include "tools/train_pos/tagger_net.h"

namespace ffnlp {
namespace train {

std::map<std::string, tools::NpyArray> tagger_arrays(const TaggerConfig& cfg, const TaggerParams& prm);

// `words_file`: the vocabulary file's name relative to the spec; `command`
// is written as a comment.
std::string tagger_spec_text(const TaggerConfig& cfg, const std::string& words_file, const std::string& command);

}  // namespace train
}  // namespace ffnlp
