#include "tools/postag/builtin_model.h"

#include "ffnlp/embed.h"

// The shipped model compiled in with the public embedding macro (.incbin,
// 64-byte aligned, read-only): the runtime reads it in place.
FFNLP_EMBED_FILE(ffnlp_pos_model, "models/pos-en.ffm");

namespace ffnlp {
namespace postag {

const void* builtin_model_data() { return ffnlp_pos_model; }
size_t builtin_model_size() { return FFNLP_EMBED_SIZE(ffnlp_pos_model); }

}  // namespace postag
}  // namespace ffnlp
