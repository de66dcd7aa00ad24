// Running one workload against one subject and measuring it.
#pragma once

#include <cstdint>
#include <string>

#include "bench/latency.hpp"
#include "bench/subject.hpp"
#include "bench/workload.hpp"

namespace artifacts::bench {

struct run_result {
  std::string label;
  // Operations begun after the warm-up and finished, failed ones included.
  uint64_t ops = 0;
  uint64_t errors = 0;
  std::string first_error;
  // From the end of the warm-up to the last measured completion.
  double seconds = 0;
  // Payload bytes moved by the measured operations that succeeded.
  uint64_t payload_bytes = 0;
  latency_summary latency;

  double ops_per_s() const { return seconds > 0 ? static_cast<double>(ops) / seconds : 0; }
  double mb_per_s() const {
    return seconds > 0 ? static_cast<double>(payload_bytes) / 1e6 / seconds : 0;
  }
};

// Runs `settings` against `subject` with settings.concurrency caller threads,
// each with its own caller. For get and mixed it first stores a set of
// artifacts through one caller (not measured). Failed operations are counted,
// never fatal; a subject that cannot open a caller or preload its artifacts
// makes run throw std::runtime_error. Every run stamps its payloads with a
// fresh tag, so the puts of one run never repeat another run's bytes.
// Returns when every caller has stopped.
run_result run(subject& subject, const run_settings& settings);

}  // namespace artifacts::bench
