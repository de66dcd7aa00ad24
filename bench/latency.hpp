// Latency percentiles, exact, from every recorded sample.
#pragma once

#include <cstdint>
#include <vector>

namespace artifacts::bench {

struct latency_summary {
  double p50_ms = 0;
  double p95_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

// Nearest-rank percentiles of `samples_ns` (nanoseconds), which it sorts.
// All zero when there are no samples.
latency_summary summarize(std::vector<uint64_t>& samples_ns);

}  // namespace artifacts::bench
