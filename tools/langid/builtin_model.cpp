#include "tools/langid/builtin_model.h"

#include "ffnlp/embed.h"

// The shipped model compiled in with the public embedding macro (.incbin,
// 64-byte aligned, read-only): the runtime reads it in place.
FFNLP_EMBED_FILE(ffnlp_langid_model, "models/langid.ffm");

namespace ffnlp {
namespace langid {

const void* builtin_model_data() { return ffnlp_langid_model; }
size_t builtin_model_size() { return FFNLP_EMBED_SIZE(ffnlp_langid_model); }

}  // namespace langid
}  // namespace ffnlp
