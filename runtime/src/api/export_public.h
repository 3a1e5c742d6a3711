// Force-included (-include) into every runtime source of the shared library,
// which is compiled with -fvisibility=hidden: everything declared in the
// public C++ headers (ffnlp.h, features.h, toolkit.h) gets default visibility (exported), everything else in
// the runtime stays internal. The C API marks its own symbols FFNLP_C_API.
// (Equivalent to an FFNLP_API attribute on each public declaration of
// ffnlp.h, without touching that header.)
#ifndef FFNLP_EXPORT_PUBLIC_H_
#define FFNLP_EXPORT_PUBLIC_H_
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC visibility push(default)
#include "ffnlp/ffnlp.h"
#include "ffnlp/features.h"
#include "ffnlp/toolkit.h"
#pragma GCC visibility pop
#endif
#endif  // FFNLP_EXPORT_PUBLIC_H_
