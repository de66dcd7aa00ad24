// Invariants inside fuzz targets.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace artifacts::fuzz {

// Does nothing when `holds`; otherwise prints `what` (the broken promise, in
// plain words) and aborts, which libFuzzer reports as a crash and saves the
// input that caused it.
inline void require(bool holds, const char* what) {
  if (!holds) {
    std::fprintf(stderr, "broken invariant: %s\n", what);
    std::abort();
  }
}

}  // namespace artifacts::fuzz
