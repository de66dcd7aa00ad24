// Prometheus metrics of a store, counted inside the library: a program that
// embeds a store puts them into its own prometheus-cpp registry and serves
// them with the rest of its metrics.
//
//   auto registry = std::make_shared<prometheus::Registry>();
//   artifacts::store_config config;
//   config.metrics = artifacts::make_store_metrics(registry);
//   auto opened = artifacts::open_store(sys, config);
//   exposer.RegisterCollectable(registry);  // prometheus::Exposer, or any
//
// The families (docs/operations.md says what each means):
//   artifact_store_requests_total{op,code}         counter: requests a worker answered;
//                                                  code "ok" or an errc name
//   artifact_store_request_duration_seconds{op}    histogram, from a worker's
//                                                  taking the request to its answer
//   artifact_store_payload_bytes_total{op}         counter; put and append: the bytes
//                                                  received; get and get_range: sent
//   artifact_store_in_flight_requests              gauge
//   artifact_store_in_flight_bytes                 gauge; put payloads
//   artifact_store_overload_refusals_total         counter: requests refused before a
//                                                  worker took them
//   artifact_store_backend_reconnects_total        counter
//   artifact_store_workers{state}                  gauge; "connected", "disconnected"
//   artifact_store_removed_total{reason}           counter; "expired", "purged"
//   artifact_store_removed_bytes_total{reason}     counter
//   artifact_store_uploads_removed_total           counter; abandoned or committed
//                                                  uploads the sweeper removed
//   artifact_store_build_info{version,driver}      gauge, 1
#pragma once

#include <memory>

namespace prometheus {
class Registry;
}

namespace artifacts {

// What a store counts into (store_config::metrics). Opaque; safe to share
// between stores, whose counts then add up, and between threads.
class store_metrics;

// Creates the families above in `registry` (or finds them there, when
// another store made them) and returns what store_config::metrics takes.
// The result keeps `registry` alive. Throws std::invalid_argument when the
// registry holds a family of one of these names with another type or
// other labels.
std::shared_ptr<store_metrics> make_store_metrics(std::shared_ptr<prometheus::Registry> registry);

}  // namespace artifacts
