#include "actors/reconnect_backoff.hpp"

#include <algorithm>

namespace artifacts {

reconnect_backoff::reconnect_backoff(std::chrono::milliseconds initial_delay,
                                     std::chrono::milliseconds max_delay)
    : initial_delay_(std::max(initial_delay, std::chrono::milliseconds{1})),
      max_delay_(std::max(max_delay, initial_delay_)),
      delay_(initial_delay_),
      jitter_(std::random_device{}()) {}

void reconnect_backoff::failed(clock::time_point now) {
  // Jitter spreads the reconnects of a pool that lost its server at once.
  auto half = delay_.count() / 2;
  std::uniform_int_distribution<std::chrono::milliseconds::rep> spread(0, delay_.count() - half);
  next_attempt_ = now + std::chrono::milliseconds{half + spread(jitter_)};
  delay_ = std::min(delay_ * 2, max_delay_);
}

void reconnect_backoff::succeeded() noexcept {
  delay_ = initial_delay_;
  next_attempt_ = clock::time_point{};
}

}  // namespace artifacts
