// The runtime's own access to a Model's private parts (friend of Model):
// what the C API and the parts of the runtime in other files share without
// making it public API.
#ifndef FFNLP_API_MODEL_ACCESS_H_
#define FFNLP_API_MODEL_ACCESS_H_

#include <cstddef>
#include <cstdint>

#include "ffnlp/ffnlp.h"
#include "network/scratch.h"

struct ffnlp_feature;

namespace ffnlp {
namespace internal {

struct ModelAccess {
  // Network, prior, allow-list and (k > 0) the top-k selection
  // (heads/classifier.cpp).
  static Status classify(const Model& model, const Input& input, void* scratch, size_t scratch_size, size_t k,
                         const ClassifyOptions* options, HeadResult* result);
  // The scratch layout of one call (network/forward.cpp).
  static ScratchLayout layout(const Model& model);
  static const NeighbourPlan& neighbours(const Model& model) { return model.neighbours_; }
  static const LexiconPlan& lexicon(const Model& model) { return model.lexicon_; }
  static const FeaturePlan& plan(const Model& model) { return model.plan_; }
  static bool reliable(const Model& model, float probability, const TextStats& stats) {
    return model.is_reliable(probability, stats.letters);
  }
  // Model::text_features into the C API's records (features/feature_api.cpp).
  static Status text_features(const Model& model, const char* text, size_t size, ffnlp_feature* out, size_t capacity,
                              size_t* count);
  // Model::token_features into the C API's records (features/feature_api.cpp).
  static Status token_features(const Model& model, const char* const* tokens, const size_t* lengths, size_t n,
                               size_t i, const uint32_t* labels, ffnlp_feature* out, size_t capacity, size_t* count);
};

}  // namespace internal
}  // namespace ffnlp

#endif  // FFNLP_API_MODEL_ACCESS_H_
