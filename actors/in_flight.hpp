// The bound on work a store has accepted and not yet answered.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>

#include <caf/error.hpp>

namespace artifacts {

class store_metrics;

// Requests and put payload bytes accepted and not yet answered. Signed,
// because a worker may finish a request nobody counted (one sent to it
// directly).
struct load_counts {
  std::atomic<int64_t> requests{0};
  std::atomic<int64_t> payload_bytes{0};
  // Shown as artifact_store_in_flight_*, when set (the store's total only).
  std::shared_ptr<store_metrics> metrics;

  void add(int64_t count, int64_t bytes) noexcept;
};

// The bound on what the store holds at once.
struct in_flight_limits {
  // At most this many requests admitted and unanswered over all workers.
  size_t max_requests;
  // At most this many payload bytes of admitted puts; a put arriving while
  // nothing else is in flight is admitted whatever its size, so a put of the
  // largest allowed payload always gets through an idle store.
  size_t max_payload_bytes;
};

// What admitting a request to a worker came to.
enum class admission {
  admitted,
  // The store is at its bound: answer overloaded_error.
  overloaded,
  // The worker is down and its load forgotten: route the request again.
  worker_gone,
};

// What one worker has been handed and not yet finished, and the store's
// running total over all its workers. Whoever routes a request admits it
// (the supervisor, or a local client applying the supervisor's routing
// table, from any thread); the worker subtracts it when it answers. When a
// worker dies, the supervisor takes what it still held off the total
// (forget), so work lost with a dead worker's mailbox is forgotten with it,
// and nothing is admitted to it after that.
class worker_load {
 public:
  explicit worker_load(std::shared_ptr<load_counts> store_total) : store_(std::move(store_total)) {}
  worker_load(const worker_load&) = delete;
  worker_load& operator=(const worker_load&) = delete;

  // Counts a request carrying `payload_bytes` on this worker and on the
  // store when the store stays within `limits`. Exact under concurrent
  // callers: a request is counted before the bound is judged and taken off
  // again when refused, so two callers never both take the last place (at
  // worst both are refused).
  admission try_admit(const in_flight_limits& limits, size_t payload_bytes) noexcept;

  // Subtracts one answered request.
  void finish(size_t payload_bytes) noexcept;

  // Takes what this (dead) worker still held off the store's total; every
  // later try_admit answers worker_gone.
  void forget() noexcept;

 private:
  std::mutex lock_;
  bool gone_ = false;
  load_counts own_;
  std::shared_ptr<load_counts> store_;
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

// unavailable, "<op>: the store is overloaded (...); retry later": the
// answer to a request refused at the bound.
caf::error overloaded_error(std::string_view op, const in_flight_limits& limits);

}  // namespace artifacts
