// Workspace: scratch memory for one thread's calls, allocated once.
#include <new>

#include "ffnlp/ffnlp.h"

namespace ffnlp {

Workspace::Workspace(const Model& model) {
  const size_t bytes = model.scratch_bytes_long_texts();
  if (bytes == 0) return;
  data_ = ::operator new(bytes, std::nothrow);
  if (data_ != nullptr) size_ = bytes;
}

Workspace::~Workspace() { ::operator delete(data_); }

}  // namespace ffnlp
