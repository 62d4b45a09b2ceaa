// QUENCH_CHECK(cond): aborts on a programmer error (a broken invariant), in every build type.
// Never used for bad input: input problems are Results or anomaly counters.
#pragma once

#include <cstdio>
#include <cstdlib>

#define QUENCH_CHECK(cond)                                                          \
  do {                                                                              \
    if (!(cond)) [[unlikely]] {                                                     \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)
