// Counting the thread hand-offs a run costs: the context switches of the
// whole process (every thread, voluntary and involuntary, from getrusage)
// over the measured part of a run.
#pragma once

#include <cstdint>
#include <thread>

#include "bench/run_parts.hpp"

namespace artifacts::bench {

// The process's context switches so far.
uint64_t process_context_switches();

// Reads the count when the measured part of a run begins (on a thread of
// its own that sleeps until then, so the callers are not disturbed) and
// when finish is called.
class switch_counter {
 public:
  explicit switch_counter(clock_type::time_point measure_from);
  ~switch_counter();
  switch_counter(const switch_counter&) = delete;
  switch_counter& operator=(const switch_counter&) = delete;

  // The context switches since the measured part began, per operation of
  // `operations`; 0 when there were none.
  double finish_per_operation(uint64_t operations);

 private:
  std::thread sampler_;
  uint64_t at_start_ = 0;
};

}  // namespace artifacts::bench
