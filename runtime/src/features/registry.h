// THE list of feature kinds. Each kind is one struct in features/kinds/
// (name, id, parameters, load-time rules, emission code); this list is the
// only place the set of kinds is enumerated. From it come:
//   - the public registry (ffnlp/features.h: feature_kind_at(), find_feature_kind()),
//     which the loader, the spec parser and writer in tools/ and the trainer use;
//   - check_channel(): the load-time rules of one channel;
//   - compile-time checks that FeatureKind (ffnlp.h) matches.
// Emission is called from the extraction loop (extract.h), which includes
// every kind's header.
#ifndef FFNLP_FEATURES_REGISTRY_H_
#define FFNLP_FEATURES_REGISTRY_H_

#include "features/kinds/char_ngram.h"
#include "features/kinds/han_variant.h"
#include "features/kinds/ids.h"
#include "features/kinds/prefix.h"
#include "features/kinds/prev_label.h"
#include "features/kinds/script.h"
#include "features/kinds/shape.h"
#include "features/kinds/suffix.h"
#include "features/kinds/word.h"
#include "features/text_features.h"

// X(KindStruct) for every kind, in id order.
#define FFNLP_FEATURE_KINDS(X) \
  X(CharNgramKind)             \
  X(ScriptKind)                \
  X(WordKind)                  \
  X(PrefixKind)                \
  X(SuffixKind)                \
  X(ShapeKind)                 \
  X(IdsKind)                   \
  X(PrevLabelKind)             \
  X(HanVariantKind)

namespace ffnlp {

// The rules every channel follows (buckets, pooling, fixed row counts, the
// window and the two padding rows of token models), then its kind's own;
// kBadMetadata naming the channel on failure.
Status check_channel(const ChannelSpec& spec, uint32_t index, const TextOptions& options, Error* error);

}  // namespace ffnlp

#endif  // FFNLP_FEATURES_REGISTRY_H_
