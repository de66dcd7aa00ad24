// Waiting for something expected soon without parking the thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace artifacts {

// Parking a thread and waking it again costs tens of microseconds on a
// virtual machine, more than a read from the memory driver takes and a large
// part of one from PostgreSQL. Where an event is expected within a few tens
// of microseconds, watching for it costs less. Callers decide when that is
// (typical_wait below) and never watch without something outstanding.

// Calls `ready` until it returns true or `limit` has passed, easing the core
// between calls. Returns the last answer of `ready`.
template <class Ready>
bool watch_briefly(Ready&& ready, std::chrono::nanoseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!ready()) {
    if (std::chrono::steady_clock::now() >= until) {
      return ready();
    }
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
  return true;
}

// How long a recurring wait has lately taken: a moving average over about
// the last eight samples. Safe to update from several threads; concurrent
// updates may lose one another's sample, which only makes it average over
// fewer.
class typical_wait {
 public:
  void add(std::chrono::nanoseconds took) noexcept {
    const int64_t before = ns_.load(std::memory_order_relaxed);
    ns_.store(before + (took.count() - before) / 8, std::memory_order_relaxed);
  }

  // Whether the waits have lately ended within `limit`: worth watching for.
  bool within(std::chrono::nanoseconds limit) const noexcept {
    return ns_.load(std::memory_order_relaxed) <= limit.count();
  }

 private:
  std::atomic<int64_t> ns_{0};
};

}  // namespace artifacts
