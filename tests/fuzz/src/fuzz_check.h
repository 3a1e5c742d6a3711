// Shared by the fuzz targets: an invariant that fails is a finding, so say
// which one and crash (libFuzzer then saves the input).
#pragma once

#include <cstdio>
#include <cstdlib>

#define check(cond)                                                                   \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                   \
    }                                                                                 \
  } while (0)
