#include "bench/latency.hpp"

#include <algorithm>
#include <cmath>

namespace artifacts::bench {

namespace {

double percentile_ms(const std::vector<uint64_t>& sorted, double fraction) {
  const auto rank = static_cast<size_t>(std::ceil(fraction * static_cast<double>(sorted.size())));
  const size_t index = rank == 0 ? 0 : std::min(rank, sorted.size()) - 1;
  return static_cast<double>(sorted[index]) / 1e6;
}

}  // namespace

latency_summary summarize(std::vector<uint64_t>& samples_ns) {
  latency_summary summary;
  if (samples_ns.empty()) {
    return summary;
  }
  std::sort(samples_ns.begin(), samples_ns.end());
  summary.p50_ms = percentile_ms(samples_ns, 0.50);
  summary.p95_ms = percentile_ms(samples_ns, 0.95);
  summary.p99_ms = percentile_ms(samples_ns, 0.99);
  summary.max_ms = static_cast<double>(samples_ns.back()) / 1e6;
  return summary;
}

}  // namespace artifacts::bench
