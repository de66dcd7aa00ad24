#include "actors/store_metrics.hpp"

#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <caf/error.hpp>

#include <artifact_store/errc.hpp>
#include <artifact_store/error.hpp>
#include <artifact_store/version.hpp>

namespace artifacts {

namespace {

// Codes are errc values (1 to 12); 0 is success.
constexpr size_t code_slots = 16;

// From a memory get (tens of microseconds) to a large commit (seconds).
const prometheus::Histogram::BucketBoundaries& duration_buckets() {
  static const prometheus::Histogram::BucketBoundaries buckets{
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
      0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
  return buckets;
}

size_t slot_of(const caf::error& outcome) {
  if (!outcome) {
    return 0;
  }
  const auto code = static_cast<size_t>(code_of(outcome));
  return code < code_slots ? code : static_cast<size_t>(errc::internal);
}

std::string code_name(size_t slot) {
  return slot == 0 ? "ok" : to_string(static_cast<errc>(slot));
}

}  // namespace

struct store_metrics::per_operation {
  prometheus::Histogram* duration = nullptr;
  prometheus::Counter* payload_bytes = nullptr;
  std::array<prometheus::Counter*, code_slots> answered{};
};

store_metrics::store_metrics(std::shared_ptr<prometheus::Registry> registry)
    : registry_(std::move(registry)) {
  auto& r = *registry_;
  requests_ = &prometheus::BuildCounter()
                   .Name("artifact_store_requests_total")
                   .Help("Requests answered, by operation and outcome (ok, or the error code)")
                   .Register(r);
  durations_ = &prometheus::BuildHistogram()
                    .Name("artifact_store_request_duration_seconds")
                    .Help("Time from a worker's taking a request to its answer")
                    .Register(r);
  payload_bytes_ = &prometheus::BuildCounter()
                        .Name("artifact_store_payload_bytes_total")
                        .Help("Payload bytes received (put, append) or sent (get, get_range)")
                        .Register(r);
  build_info_ = &prometheus::BuildGauge()
                     .Name("artifact_store_build_info")
                     .Help("1, labelled with the version and the driver of each open store")
                     .Register(r);
  in_flight_requests_ = &prometheus::BuildGauge()
                             .Name("artifact_store_in_flight_requests")
                             .Help("Requests accepted and not yet answered")
                             .Register(r)
                             .Add({});
  in_flight_bytes_ = &prometheus::BuildGauge()
                          .Name("artifact_store_in_flight_bytes")
                          .Help("Payload bytes of puts accepted and not yet answered")
                          .Register(r)
                          .Add({});
  overload_refusals_ = &prometheus::BuildCounter()
                            .Name("artifact_store_overload_refusals_total")
                            .Help(
                                "Requests refused at once because the store was at its "
                                "in-flight bound")
                            .Register(r)
                            .Add({});
  reconnects_ = &prometheus::BuildCounter()
                     .Name("artifact_store_backend_reconnects_total")
                     .Help("Backend connections opened again after one was lost")
                     .Register(r)
                     .Add({});
  auto& workers = prometheus::BuildGauge()
                      .Name("artifact_store_workers")
                      .Help("Workers, by whether their backend connection is open")
                      .Register(r);
  workers_connected_ = &workers.Add({{"state", "connected"}});
  workers_disconnected_ = &workers.Add({{"state", "disconnected"}});
  auto& removed = prometheus::BuildCounter()
                      .Name("artifact_store_removed_total")
                      .Help("Artifacts deleted by the sweeper (expired) or by purges (purged)")
                      .Register(r);
  expired_ = &removed.Add({{"reason", "expired"}});
  purged_ = &removed.Add({{"reason", "purged"}});
  auto& removed_bytes = prometheus::BuildCounter()
                            .Name("artifact_store_removed_bytes_total")
                            .Help("Bytes of the artifacts in artifact_store_removed_total")
                            .Register(r);
  expired_bytes_ = &removed_bytes.Add({{"reason", "expired"}});
  purged_bytes_ = &removed_bytes.Add({{"reason", "purged"}});
  uploads_removed_ = &prometheus::BuildCounter()
                          .Name("artifact_store_uploads_removed_total")
                          .Help(
                              "Uploads the sweeper removed: abandoned, or committed and "
                              "past their time")
                          .Register(r)
                          .Add({});
}

store_metrics::~store_metrics() = default;

store_metrics::per_operation& store_metrics::operation(std::string_view op) {
  // Called with lock_ held.
  auto& slot = operations_[std::string(op)];
  if (!slot) {
    slot = std::make_unique<per_operation>();
    const prometheus::Labels labels{{"op", std::string(op)}};
    slot->duration = &durations_->Add(labels, duration_buckets());
    slot->payload_bytes = &payload_bytes_->Add(labels);
  }
  return *slot;
}

void store_metrics::opened(std::string_view driver) {
  build_info_->Add({{"version", library_version()}, {"driver", std::string(driver)}}).Set(1);
}

void store_metrics::answered(std::string_view op, const caf::error& outcome,
                             std::chrono::steady_clock::duration took, uint64_t payload_bytes) {
  const size_t slot = slot_of(outcome);
  prometheus::Counter* answered = nullptr;
  per_operation* metrics = nullptr;
  {
    std::lock_guard<std::mutex> guard{lock_};
    metrics = &operation(op);
    answered = metrics->answered[slot];
    if (answered == nullptr) {
      answered = &requests_->Add({{"op", std::string(op)}, {"code", code_name(slot)}});
      metrics->answered[slot] = answered;
    }
  }
  answered->Increment();
  metrics->duration->Observe(std::chrono::duration<double>(took).count());
  if (payload_bytes > 0) {
    metrics->payload_bytes->Increment(static_cast<double>(payload_bytes));
  }
}

void store_metrics::overloaded() {
  overload_refusals_->Increment();
}

void store_metrics::in_flight(int64_t requests, int64_t bytes) {
  if (requests != 0) {
    in_flight_requests_->Increment(static_cast<double>(requests));
  }
  if (bytes != 0) {
    in_flight_bytes_->Increment(static_cast<double>(bytes));
  }
}

void store_metrics::reconnected() {
  reconnects_->Increment();
}

void store_metrics::worker_moved(worker_state from, worker_state to) {
  auto gauge = [this](worker_state state) -> prometheus::Gauge* {
    switch (state) {
      case worker_state::connected:
        return workers_connected_;
      case worker_state::disconnected:
        return workers_disconnected_;
      case worker_state::none:
        break;
    }
    return nullptr;
  };
  if (auto* left = gauge(from)) {
    left->Decrement();
  }
  if (auto* joined = gauge(to)) {
    joined->Increment();
  }
}

void store_metrics::removed(std::string_view reason, uint64_t artifacts, uint64_t bytes,
                            uint64_t uploads) {
  const bool expired = reason == "expired";
  (expired ? expired_ : purged_)->Increment(static_cast<double>(artifacts));
  (expired ? expired_bytes_ : purged_bytes_)->Increment(static_cast<double>(bytes));
  uploads_removed_->Increment(static_cast<double>(uploads));
}

worker_gauge::worker_gauge(std::shared_ptr<store_metrics> metrics) : metrics_(std::move(metrics)) {
  if (metrics_) {
    metrics_->worker_moved(store_metrics::worker_state::none, state_);
  }
}

worker_gauge::~worker_gauge() {
  if (metrics_) {
    metrics_->worker_moved(state_, store_metrics::worker_state::none);
  }
}

void worker_gauge::connected(bool now) {
  const auto next =
      now ? store_metrics::worker_state::connected : store_metrics::worker_state::disconnected;
  if (metrics_ && next != state_) {
    metrics_->worker_moved(state_, next);
  }
  state_ = next;
}

std::shared_ptr<store_metrics> make_store_metrics(std::shared_ptr<prometheus::Registry> registry) {
  if (!registry) {
    throw std::invalid_argument("make_store_metrics: the registry is null");
  }
  return std::make_shared<store_metrics>(std::move(registry));
}

}  // namespace artifacts
