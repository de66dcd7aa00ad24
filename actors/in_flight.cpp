#include "actors/in_flight.hpp"

#include <algorithm>

namespace artifacts {

bool admits(const in_flight_limits& limits, const load_counts& store_total,
            size_t payload_bytes) noexcept {
  auto requests = store_total.requests.load(std::memory_order_relaxed);
  auto bytes = store_total.payload_bytes.load(std::memory_order_relaxed);
  auto pending = static_cast<size_t>(std::max<int64_t>(requests, 0));
  auto pending_bytes = static_cast<size_t>(std::max<int64_t>(bytes, 0));
  if (pending >= limits.max_requests) {
    return false;
  }
  if (pending == 0) {
    return true;
  }
  return pending_bytes + payload_bytes <= limits.max_payload_bytes;
}

}  // namespace artifacts
