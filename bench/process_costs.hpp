// What a run costs the benchmark's process beyond its time: the context
// switches of every thread (voluntary and involuntary), which count the
// thread hand-offs a call costs, and the CPU time of every thread, which
// shows what waiting without parking (spinning) spends. Both from
// getrusage(RUSAGE_SELF), over the measured part of a run.
#pragma once

#include <chrono>
#include <cstdint>
#include <thread>

namespace artifacts::bench {

// The process's context switches and CPU time so far.
struct process_usage {
  uint64_t context_switches = 0;
  double cpu_seconds = 0;
};
process_usage process_usage_now();

// Per measured operation, failed or not.
struct costs_per_operation {
  double context_switches = 0;
  double cpu_us = 0;
};

// Reads the process's usage when the measured part of a run begins (on a
// thread of its own that sleeps until then, so the callers are not
// disturbed) and when finish is called.
class process_costs {
 public:
  explicit process_costs(std::chrono::steady_clock::time_point measure_from);
  ~process_costs();
  process_costs(const process_costs&) = delete;
  process_costs& operator=(const process_costs&) = delete;

  // The usage since the measured part began, per operation of
  // `operations`; zero when there were none.
  costs_per_operation finish(uint64_t operations);

 private:
  // Before the thread that writes it, so that it is initialised first.
  process_usage at_start_;
  std::thread sampler_;
};

}  // namespace artifacts::bench
