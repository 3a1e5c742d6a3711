// The shipped language-ID model, compiled into the demo so it works from any
// directory. The bytes come from models/langid.ffm at build time.
#pragma once

#include <cstddef>

namespace ffnlp {
namespace langid {

const void* builtin_model_data();
size_t builtin_model_size();

}  // namespace langid
}  // namespace ffnlp
