// Presenting a benchmark's results: a table for people, JSON for scripts.
#pragma once

#include <cstddef>
#include <string>

#include "bench/runner.hpp"
#include "bench/workload.hpp"

namespace artifacts::bench {

// What was measured, for the report's header.
struct run_description {
  run_settings settings;
  size_t pool_size = 0;
  // "memory", "sqlite", "fs", "postgres" or "node".
  std::string store_kind;
  // "threads" or "actors": what the store's callers were.
  std::string callers = "threads";
  // Whether a CHECKPOINT preceded each measured run (with a baseline).
  bool checkpointed = false;
};

// The store's throughput over the baseline's (successful operations per
// second), or 0 when the baseline did nothing.
double ratio(const run_result& store, const run_result& baseline);

// A few lines: the settings, then one row per result (ops/s, MB/s, p50, p95,
// p99, max in ms, errors), then the ratio when a baseline ran. A row whose
// run had failed operations ends in "FAILED", and a line below says how many
// failed and quotes the first failure. `baseline` may be null.
std::string format_table(const run_description& what, const run_result& store,
                         const run_result* baseline);

// One line of JSON (protobuf's JSON mapping of artifacts.bench.v1.Report,
// proto field names): ops_per_s, mb_per_s, p50_ms, p95_ms, p99_ms, max_ms,
// ops, errors, has_errors, first_error and the settings; with a baseline also
// "baseline" (the same figures) and "ratio". `baseline` may be null.
std::string format_json(const run_description& what, const run_result& store,
                        const run_result* baseline);

}  // namespace artifacts::bench
