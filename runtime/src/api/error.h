// Filling an Error without allocating.
#ifndef FFNLP_ERROR_UTIL_H_
#define FFNLP_ERROR_UTIL_H_

#include "ffnlp/ffnlp.h"

namespace ffnlp {

// Sets error->status and a printf-style message (when error is non-null) and
// returns status, so callers can write `return fail(error, kX, "...", ...)`.
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
Status fail(Error* error, Status status, const char* format, ...);

}  // namespace ffnlp

#endif  // FFNLP_ERROR_UTIL_H_
