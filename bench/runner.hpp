// Running one workload against one subject and measuring it.
#pragma once

#include <cstdint>
#include <string>

#include <artifact_store/errc.hpp>

#include "bench/latency.hpp"
#include "bench/process_costs.hpp"
#include "bench/subject.hpp"
#include "bench/workload.hpp"

namespace artifacts::bench {

// What one run measured. A failed operation is no throughput: ops, the
// payload bytes and the latencies count only the measured operations that
// succeeded, and those that failed are counted in `errors` alone. Of the
// operations begun after the warm-up, ops + errors finished.
struct run_result {
  std::string label;
  // Measured operations that succeeded.
  uint64_t ops = 0;
  // Measured operations that failed; the first one's message (the store's
  // "<code>: <message>" for the store) and code (internal when the subject
  // gave none).
  uint64_t errors = 0;
  std::string first_error;
  errc first_error_code = errc::internal;
  // From the end of the warm-up to the last measured completion, failed or
  // not.
  double seconds = 0;
  // Payload bytes moved by the measured operations that succeeded.
  uint64_t payload_bytes = 0;
  // Of the measured operations that succeeded.
  latency_summary latency;
  // Context switches and CPU time of the whole process (callers, client,
  // store) per measured operation, failed or not (process_costs.hpp).
  costs_per_operation costs;

  // Whether any measured operation failed: the figures then describe only
  // part of what was asked for, and no goal is met from them.
  bool has_errors() const { return errors > 0; }
  // Successful operations per second.
  double ops_per_s() const { return seconds > 0 ? static_cast<double>(ops) / seconds : 0; }
  double mb_per_s() const {
    return seconds > 0 ? static_cast<double>(payload_bytes) / 1e6 / seconds : 0;
  }
};

// Runs `settings` against `subject` with settings.concurrency caller threads,
// each with its own caller. For get and mixed it first stores a set of
// artifacts through one caller (not measured). Failed operations are counted
// as errors, never fatal and never as throughput; a subject that cannot open a caller or preload
// its artifacts makes run throw std::runtime_error. Every run stamps its payloads with a fresh tag,
// so the puts of one run never repeat another run's bytes. Returns when every caller has stopped.
run_result run(subject& subject, const run_settings& settings);

}  // namespace artifacts::bench
