// A wall clock that tests move by hand, so that expiry needs no sleeping.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>

#include <artifact_store/storage_options.hpp>

namespace artifacts::scenarios {

// Starts at a fixed instant (2026-12-01T00:00:00Z) and moves only when told.
// Copies share one time; safe from any thread.
class test_clock {
 public:
  test_clock() : now_(std::make_shared<std::atomic<int64_t>>(start_micros)) {}

  // The clock to put into storage_options::clock.
  wall_clock as_wall_clock() const {
    return [now = now_] {
      return std::chrono::system_clock::time_point{std::chrono::microseconds{now->load()}};
    };
  }

  void advance(std::chrono::microseconds by) { now_->fetch_add(by.count()); }

  // Microseconds since the Unix epoch.
  int64_t now_micros() const { return now_->load(); }

  static constexpr int64_t start_micros = 1'764'547'200'000'000;

 private:
  std::shared_ptr<std::atomic<int64_t>> now_;
};

}  // namespace artifacts::scenarios
