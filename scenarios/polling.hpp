// Waiting, boundedly, for something another thread or process brings about.
#pragma once

#include <chrono>
#include <thread>

namespace artifacts::scenarios {

// Polls `reached` every 10 ms until it holds or `bound` has passed; returns
// whether it held.
template <class Predicate>
bool poll_until(Predicate reached, std::chrono::steady_clock::duration bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (!reached()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  return true;
}

// A duration in seconds, for figures a test prints.
inline double seconds(std::chrono::steady_clock::duration elapsed) {
  return std::chrono::duration<double>(elapsed).count();
}

}  // namespace artifacts::scenarios
