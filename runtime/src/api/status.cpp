#include <cstdarg>
#include <cstdio>

#include "api/error.h"
#include "ffnlp/ffnlp.h"

namespace ffnlp {

const char* status_name(Status status) {
  switch (status) {
    case Status::kOk: return "ok";
    case Status::kInvalidArgument: return "invalid argument";
    case Status::kTruncated: return "truncated";
    case Status::kBadMagic: return "bad magic";
    case Status::kByteSwapped: return "byte-swapped file";
    case Status::kUnsupportedVersion: return "unsupported version";
    case Status::kBadChecksum: return "bad checksum";
    case Status::kBadHeader: return "bad header";
    case Status::kBadOffset: return "bad offset";
    case Status::kOverflow: return "size overflow";
    case Status::kBadTensor: return "bad tensor";
    case Status::kNonFinite: return "non-finite value";
    case Status::kBadMetadata: return "bad metadata";
    case Status::kBadShape: return "bad shape";
    case Status::kNotFound: return "not found";
    case Status::kNotClassifier: return "not a classifier";
    case Status::kBufferTooSmall: return "buffer too small";
    case Status::kIoError: return "I/O error";
    case Status::kOutOfMemory: return "out of memory";
    case Status::kUnsupportedFeatures: return "unsupported features version";
  }
  return "unknown status";
}

Status fail(Error* error, Status status, const char* format, ...) {
  if (error != nullptr) {
    error->status = status;
    va_list args;
    va_start(args, format);
    std::vsnprintf(error->message, sizeof(error->message), format, args);
    va_end(args);
  }
  return status;
}

}  // namespace ffnlp
