#include "bench/context_switches.hpp"

#include <sys/resource.h>

namespace artifacts::bench {

uint64_t process_context_switches() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) {
    return 0;
  }
  return static_cast<uint64_t>(usage.ru_nvcsw) + static_cast<uint64_t>(usage.ru_nivcsw);
}

switch_counter::switch_counter(clock_type::time_point measure_from)
    : sampler_([this, measure_from] {
        std::this_thread::sleep_until(measure_from);
        at_start_ = process_context_switches();
      }) {}

switch_counter::~switch_counter() {
  if (sampler_.joinable()) {
    sampler_.join();
  }
}

double switch_counter::finish_per_operation(uint64_t operations) {
  if (sampler_.joinable()) {
    sampler_.join();
  }
  const auto at_end = process_context_switches();
  if (operations == 0 || at_end < at_start_) {
    return 0;
  }
  return static_cast<double>(at_end - at_start_) / static_cast<double>(operations);
}

}  // namespace artifacts::bench
