// The supervisor's routing table, published so that a local client can send
// a request straight to the worker the supervisor would have chosen.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <artifact_store/storage_options.hpp>
#include <artifact_store/verified_put.hpp>

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
  // Where refusals are counted; may be null.
  std::shared_ptr<store_metrics> metrics;

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

// What applying the table in force to one request came to.
struct direct_admission {
  // Set when the request was counted on this worker's load: it must be sent
  // there at once, exactly once (the worker gives the count back when it
  // answers).
  worker_actor worker;
  // Set when the store is at its bound: the request is refused with
  // overloaded_error(op, *refused_at).
  std::optional<in_flight_limits> refused_at;
  // Neither set: no table is in force (close has begun, or `routes` is
  // null) or the request's worker has just died; the request goes to the
  // supervisor, which routes or refuses it.
};

// Routes a request the way the supervisor would, from any thread: the worker
// at table.index_of(route), if it admits `payload_bytes` more (see
// worker_load::try_admit). `routes` may be null.
direct_admission admit_directly(const worker_routes* routes, uint64_t route, size_t payload_bytes);

// admit_directly for a request that names a key (get, get_ref, exists,
// delete), routed and counted as the supervisor routes and counts it.
direct_admission admit_directly(const worker_routes* routes, const v1::Key& key);

// admit_directly for a put this process hashed: routed by its digest,
// counted with its payload.
direct_admission admit_directly(const worker_routes* routes, const verified_put& put,
                                const storage_options& storage);

}  // namespace artifacts
