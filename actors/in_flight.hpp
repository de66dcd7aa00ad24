// The bound on work a store has accepted and not yet answered.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace artifacts {

// What one worker has been handed and not yet finished: requests and the
// payload bytes of its puts. The supervisor adds, the worker subtracts when
// its handler returns; each replacement worker gets a fresh count, so work
// lost with a dead worker's mailbox is forgotten with it. Signed, because a
// worker may finish a request nobody counted (one sent to it directly).
struct worker_load {
  std::atomic<int64_t> requests{0};
  std::atomic<int64_t> payload_bytes{0};
};

using shared_worker_load = std::shared_ptr<worker_load>;

// Subtracts one finished request from a worker's load when destroyed. Held
// by the worker for the duration of its handler.
class finished_request {
 public:
  finished_request(worker_load& load, size_t payload_bytes) noexcept
      : load_(load), payload_bytes_(static_cast<int64_t>(payload_bytes)) {}
  ~finished_request() {
    load_.requests.fetch_sub(1, std::memory_order_relaxed);
    load_.payload_bytes.fetch_sub(payload_bytes_, std::memory_order_relaxed);
  }
  finished_request(const finished_request&) = delete;
  finished_request& operator=(const finished_request&) = delete;

 private:
  worker_load& load_;
  int64_t payload_bytes_;
};

// The supervisor's side: decides whether a new request fits.
struct in_flight_limits {
  // At most this many requests admitted and unanswered over all workers.
  size_t max_requests;
  // At most this many payload bytes of admitted puts; a put arriving while
  // nothing else is in flight is admitted whatever its size, so a put of the
  // largest allowed payload always gets through an idle store.
  size_t max_payload_bytes;
};

// True when a request carrying `payload_bytes` may be admitted next to the
// work the loads already hold. Costs one atomic read per worker.
bool admits(const in_flight_limits& limits, const std::vector<shared_worker_load>& loads,
            size_t payload_bytes) noexcept;

// Records an admitted request on the load of the worker it goes to.
inline void admit(worker_load& load, size_t payload_bytes) noexcept {
  load.requests.fetch_add(1, std::memory_order_relaxed);
  load.payload_bytes.fetch_add(static_cast<int64_t>(payload_bytes), std::memory_order_relaxed);
}

}  // namespace artifacts
