// The shipped English tagger, compiled into postag so it works from any
// directory. The bytes come from models/pos-en.ffm at build time.
#pragma once

#include <cstddef>

namespace ffnlp {
namespace postag {

const void* builtin_model_data();
size_t builtin_model_size();

}  // namespace postag
}  // namespace ffnlp
