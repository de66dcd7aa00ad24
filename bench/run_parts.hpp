// What the two ways of driving a run share: its schedule, each caller's
// tally, the preloaded artifacts, progress lines and the final summary.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <artifact_store/errc.hpp>

#include "bench/runner.hpp"

namespace artifacts::bench {

using clock_type = std::chrono::steady_clock;

// One caller's counters; padded so callers on different threads do not share
// cache lines. Of the measured operations, those that succeeded are counted
// in `succeeded` and give the latency samples and payload bytes; those that
// failed are counted in `errors` only.
struct alignas(64) caller_tally {
  std::atomic<uint64_t> finished{0};
  std::vector<uint64_t> samples_ns;
  uint64_t succeeded = 0;
  uint64_t errors = 0;
  uint64_t payload_bytes = 0;
  std::string first_error;
  errc first_error_code = errc::internal;
  clock_type::time_point last_finish{};
};

// Why one operation failed: the store's code when the subject reported one
// (internal otherwise) and a message that names the cause.
struct failure {
  errc code = errc::internal;
  std::string message;
};

// The shared schedule of a run, fixed before the callers start.
struct schedule {
  clock_type::time_point start;
  clock_type::time_point measure_from;
  clock_type::time_point deadline;
  uint64_t op_budget = 0;  // 0: run until the deadline
  std::atomic<uint64_t> claimed{0};

  // Whether a caller may begin another operation at `now`. Thread-safe.
  bool may_begin(clock_type::time_point now);
};

// One operation a caller is about to begin: a get of `key`, or a put of
// `bytes`.
struct next_operation {
  bool is_get = false;
  const std::string* key = nullptr;
  std::string bytes;
};

// Picks one caller's operations, in the same sequence on every run: the
// workload's mix, unique or repeated payloads, keys drawn from `keys`. The
// arguments must outlive the picker.
class operation_picker {
 public:
  operation_picker(const run_settings& settings, const payload_source& payloads,
                   const std::vector<std::string>& keys, size_t caller_index);

  next_operation next();

 private:
  const run_settings& settings_;
  const payload_source& payloads_;
  const std::vector<std::string>& keys_;
  size_t index_;
  std::mt19937_64 random_;
  std::uniform_real_distribution<double> coin_{0.0, 1.0};
  uint64_t sequence_ = 0;
};

// Sets `plan` for `settings`, starting now.
void start_schedule(schedule& plan, const run_settings& settings);

// Counts one finished operation: begun and finished at those times, `moved`
// payload bytes, `failed` set when it failed. Operations begun during the
// warm-up count towards progress only. A failed operation counts as an error
// and nothing else: no latency sample, no payload bytes.
void record(caller_tally& tally, const schedule& plan, clock_type::time_point begun,
            clock_type::time_point finished, size_t moved, std::optional<failure> failed);

// The failure an exception thrown by a caller stands for: a store_error's
// code, internal for anything else. Call it inside a catch block.
failure current_failure();

// For get and mixed, stores the artifacts the run reads through one caller of
// `t` (not measured) and returns their ids; nothing for the other workloads.
// Throws what the caller throws.
std::vector<std::string> preload(subject& t, const run_settings& settings,
                                 const payload_source& payloads);

// Whether a run shows progress on stderr: on runs longer than a few seconds.
bool shows_progress(const run_settings& settings, const schedule& plan);

// One progress line on stderr: elapsed seconds and operations finished.
void report_progress(const std::string& label, const schedule& plan,
                     const std::vector<caller_tally>& tallies);

// The run's result from every caller's tally (whose samples it moves).
run_result summarize_run(std::string label, const schedule& plan,
                         std::vector<caller_tally>& tallies);

}  // namespace artifacts::bench
