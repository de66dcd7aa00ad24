// What open_store needs.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <thread>

#include <artifact_store/request_log.hpp>
#include <artifact_store/storage_options.hpp>

namespace artifacts {

class store_metrics;  // <artifact_store/metrics.hpp>

// The default number of workers: one per core of this machine, at least 2.
// Measured against PostgreSQL on the same 2-core machine (docs/performance.md),
// 32 concurrent callers were served best by 2 workers: 8 185 puts/s against
// 6 522 with 4 and 4 858 with 8, and 29 357 gets/s against 24 020 and 13 935.
// More connections than cores only add context switches on both sides,
// while fewer workers gather more puts into each batch's commit.
inline size_t default_pool_size() {
  return std::max<size_t>(2, std::thread::hardware_concurrency());
}

struct store_config {
  // The driver, its DSN, input limits and backend timeouts.
  storage_options storage;
  // Number of workers, each owning one backend (one connection).
  size_t pool_size = default_pool_size();
  // Bound on one request, from the caller's send to its reply.
  std::chrono::milliseconds request_timeout{30000};
  // Bound on close: how long to wait for workers busy in a backend call.
  std::chrono::milliseconds close_timeout{30000};
  // Bound on requests accepted and not yet answered, over the whole store.
  // Beyond it a request fails at once with unavailable ("overloaded") instead
  // of waiting in a worker's mailbox, which CAF does not bound.
  size_t max_in_flight = 4096;
  // Bound on the payload bytes of accepted, unanswered puts. A put that
  // finds the store idle is accepted whatever its size.
  size_t max_in_flight_bytes = size_t{1} << 30;  // 1 GiB
  // How often the store's sweeper deletes expired artifacts (in batches of
  // storage.delete_batch, each a request of its own to one worker, so that
  // other requests go between them). Zero: never by itself; expired
  // artifacts stay invisible until a sweep request. Several stores on one
  // database may all sweep: they never delete a row twice or wait for each
  // other.
  std::chrono::milliseconds sweep_interval{std::chrono::minutes{1}};
  // Where the store counts its requests, refusals, reconnections and
  // removals (make_store_metrics). Null: it counts nothing.
  std::shared_ptr<store_metrics> metrics;
  // Called for every request a worker answers (request_log.hpp), for an
  // access log. Empty: nothing is called.
  request_log on_answered;
};

}  // namespace artifacts
