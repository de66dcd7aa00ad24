#include "bench/process_costs.hpp"

#include <sys/resource.h>

namespace artifacts::bench {

namespace {

double seconds_of(const timeval& time) {
  return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
}

}  // namespace

process_usage process_usage_now() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) {
    return {};
  }
  return {static_cast<uint64_t>(usage.ru_nvcsw) + static_cast<uint64_t>(usage.ru_nivcsw),
          seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime)};
}

process_costs::process_costs(std::chrono::steady_clock::time_point measure_from)
    : sampler_([this, measure_from] {
        std::this_thread::sleep_until(measure_from);
        at_start_ = process_usage_now();
      }) {}

process_costs::~process_costs() {
  if (sampler_.joinable()) {
    sampler_.join();
  }
}

costs_per_operation process_costs::finish(uint64_t operations) {
  if (sampler_.joinable()) {
    sampler_.join();
  }
  const auto at_end = process_usage_now();
  if (operations == 0 || at_end.context_switches < at_start_.context_switches) {
    return {};
  }
  const auto count = static_cast<double>(operations);
  return {static_cast<double>(at_end.context_switches - at_start_.context_switches) / count,
          (at_end.cpu_seconds - at_start_.cpu_seconds) * 1e6 / count};
}

}  // namespace artifacts::bench
