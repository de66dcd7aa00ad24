// What a store counts (include/artifact_store/metrics.hpp): the calls the
// supervisor, the workers and the local clients make as requests pass.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include <caf/fwd.hpp>

#include <artifact_store/metrics.hpp>

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace artifacts {

class store_metrics {
 public:
  explicit store_metrics(std::shared_ptr<prometheus::Registry> registry);
  ~store_metrics();
  store_metrics(const store_metrics&) = delete;
  store_metrics& operator=(const store_metrics&) = delete;

  // A store on `driver` opened: build_info{version,driver} is 1.
  void opened(std::string_view driver);

  // A request of operation `op` was answered with `outcome` (none: success)
  // `took` after a worker took it, carrying `payload_bytes` of payload.
  void answered(std::string_view op, const caf::error& outcome,
                std::chrono::steady_clock::duration took, uint64_t payload_bytes);

  // A request was refused as overloaded, before any worker took it (it is
  // not counted by answered()).
  void overloaded();

  // The store's requests and put bytes in flight changed by these amounts.
  void in_flight(int64_t requests, int64_t bytes);

  // A worker opened its backend again after losing it.
  void reconnected();

  // A worker's backend state: a worker starts disconnected.
  enum class worker_state { none, connected, disconnected };
  void worker_moved(worker_state from, worker_state to);

  // A sweep batch removed expired artifacts and uploads, or a purge batch
  // purged artifacts.
  void removed(std::string_view reason, uint64_t artifacts, uint64_t bytes, uint64_t uploads);

 private:
  // The metrics of one operation, made on its first request.
  struct per_operation;
  per_operation& operation(std::string_view op);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* requests_;
  prometheus::Family<prometheus::Histogram>* durations_;
  prometheus::Family<prometheus::Counter>* payload_bytes_;
  prometheus::Family<prometheus::Gauge>* build_info_;
  prometheus::Gauge* in_flight_requests_;
  prometheus::Gauge* in_flight_bytes_;
  prometheus::Counter* overload_refusals_;
  prometheus::Counter* reconnects_;
  prometheus::Gauge* workers_connected_;
  prometheus::Gauge* workers_disconnected_;
  prometheus::Counter* expired_;
  prometheus::Counter* expired_bytes_;
  prometheus::Counter* purged_;
  prometheus::Counter* purged_bytes_;
  prometheus::Counter* uploads_removed_;

  std::mutex lock_;
  std::unordered_map<std::string, std::unique_ptr<per_operation>> operations_;
};

// A worker's place in artifact_store_workers, kept up to date as its
// backend comes and goes; the worker leaves the gauge when this is destroyed.
class worker_gauge {
 public:
  explicit worker_gauge(std::shared_ptr<store_metrics> metrics);
  ~worker_gauge();
  worker_gauge(const worker_gauge&) = delete;
  worker_gauge& operator=(const worker_gauge&) = delete;

  void connected(bool now);

 private:
  std::shared_ptr<store_metrics> metrics_;
  store_metrics::worker_state state_ = store_metrics::worker_state::disconnected;
};

}  // namespace artifacts
