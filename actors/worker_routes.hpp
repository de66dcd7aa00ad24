// The supervisor's routing table, published so that a local client can send
// a request straight to the worker the supervisor would have chosen.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "actors/in_flight.hpp"
#include "actors/worker.hpp"

namespace artifacts {

// The pool as the supervisor last arranged it: the worker at each index and
// what it holds. Never changed once published; the supervisor publishes a
// new table when it replaces a worker.
struct worker_table {
  std::vector<worker_actor> workers;
  std::vector<shared_worker_load> loads;
  in_flight_limits limits;

  // The index of the worker that serves a request with route `route`
  // (routing.hpp): the same for every caller, so one key meets one worker.
  size_t index_of(uint64_t route) const noexcept { return route % workers.size(); }
};

// Where the supervisor publishes its table and local clients read it. Safe
// from any thread.
class worker_routes {
 public:
  // The table in force; null before the first one, and from the moment
  // close begins (requests then go to the supervisor, which refuses them).
  std::shared_ptr<const worker_table> current() const {
    std::lock_guard<std::mutex> guard{lock_};
    return table_;
  }

  // Called by the supervisor only.
  void publish(std::shared_ptr<const worker_table> table) {
    std::lock_guard<std::mutex> guard{lock_};
    table_ = std::move(table);
  }

 private:
  mutable std::mutex lock_;
  std::shared_ptr<const worker_table> table_;
};

}  // namespace artifacts
