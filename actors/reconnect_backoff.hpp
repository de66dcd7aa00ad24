// When a worker may try to reach its backend again after a failure.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace artifacts {

// Capped exponential backoff with jitter. After each failure the next attempt
// is allowed no earlier than a random point in [delay/2, delay] from now; the
// delay then doubles, up to `max_delay`. A success resets it. Not thread-safe:
// owned by one worker.
class reconnect_backoff {
 public:
  using clock = std::chrono::steady_clock;

  reconnect_backoff(std::chrono::milliseconds initial_delay = std::chrono::milliseconds{50},
                    std::chrono::milliseconds max_delay = std::chrono::milliseconds{1000});

  // True while an attempt made at `now` should be refused without trying.
  bool waiting(clock::time_point now) const noexcept { return now < next_attempt_; }

  // Records a failure at `now` and schedules the earliest next attempt.
  void failed(clock::time_point now);

  // Records a success: the next failure waits the initial delay again.
  void succeeded() noexcept;

  // The delay the next failure will draw its wait from.
  std::chrono::milliseconds current_delay() const noexcept { return delay_; }

  clock::time_point next_attempt() const noexcept { return next_attempt_; }

 private:
  std::chrono::milliseconds initial_delay_;
  std::chrono::milliseconds max_delay_;
  std::chrono::milliseconds delay_;
  clock::time_point next_attempt_{};
  std::minstd_rand jitter_;
};

}  // namespace artifacts
