// The bound on work a store has accepted and not yet answered.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace artifacts {

// Requests and put payload bytes accepted and not yet answered. Signed,
// because a worker may finish a request nobody counted (one sent to it
// directly).
struct load_counts {
  std::atomic<int64_t> requests{0};
  std::atomic<int64_t> payload_bytes{0};

  void add(int64_t count, int64_t bytes) noexcept {
    requests.fetch_add(count, std::memory_order_relaxed);
    payload_bytes.fetch_add(bytes, std::memory_order_relaxed);
  }
};

// What one worker has been handed and not yet finished, and the store's
// running total over all its workers. The supervisor adds to both, the
// worker subtracts from both when its handler returns. When a worker dies,
// the supervisor takes what it still held off the total (forget), so work
// lost with a dead worker's mailbox is forgotten with it.
struct worker_load {
  explicit worker_load(std::shared_ptr<load_counts> store_total) : store(std::move(store_total)) {}

  load_counts own;
  std::shared_ptr<load_counts> store;

  void admit(size_t payload_bytes) noexcept {
    own.add(1, static_cast<int64_t>(payload_bytes));
    store->add(1, static_cast<int64_t>(payload_bytes));
  }

  void finish(size_t payload_bytes) noexcept {
    own.add(-1, -static_cast<int64_t>(payload_bytes));
    store->add(-1, -static_cast<int64_t>(payload_bytes));
  }

  // Takes what this (dead) worker still held off the store's total.
  void forget() noexcept {
    store->add(-own.requests.load(std::memory_order_relaxed),
               -own.payload_bytes.load(std::memory_order_relaxed));
  }
};

using shared_worker_load = std::shared_ptr<worker_load>;

// Subtracts one finished request from a worker's load when destroyed. Held
// by the worker until the request is answered: for the duration of its
// handler, or, for a put waiting in a batch, until the batch is committed.
// Movable, so that it can travel with the request it counts.
class finished_request {
 public:
  finished_request(worker_load& load, size_t payload_bytes) noexcept
      : load_(&load), payload_bytes_(payload_bytes) {}
  ~finished_request() { release(); }
  finished_request(const finished_request&) = delete;
  finished_request& operator=(const finished_request&) = delete;
  finished_request(finished_request&& other) noexcept
      : load_(other.load_), payload_bytes_(other.payload_bytes_), released_(other.released_) {
    other.released_ = true;
  }
  finished_request& operator=(finished_request&& other) noexcept {
    if (this != &other) {
      release();
      load_ = other.load_;
      payload_bytes_ = other.payload_bytes_;
      released_ = other.released_;
      other.released_ = true;
    }
    return *this;
  }

  // Subtracts the request now rather than at destruction; idempotent.
  void release() noexcept {
    if (!released_) {
      released_ = true;
      load_->finish(payload_bytes_);
    }
  }

 private:
  worker_load* load_;
  size_t payload_bytes_;
  bool released_ = false;
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
// work the store holds (`store_total`). Two atomic reads.
bool admits(const in_flight_limits& limits, const load_counts& store_total,
            size_t payload_bytes) noexcept;

}  // namespace artifacts
