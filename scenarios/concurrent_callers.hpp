// Running many callers at once and collecting what went wrong in them.
// For the tests that load a store or a driver from many threads.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace artifacts::scenarios {

// Failures seen by worker threads, which must not use Catch's assertions
// (they are not thread-safe); the test checks them once the threads are
// joined. Safe to use from any number of threads.
class failure_log {
 public:
  // Records one failure; the first ten are kept for summary().
  void add(std::string what);

  // How many failures were recorded.
  size_t count() const;

  // The failures kept, one a line, or "none" when there were none.
  std::string summary() const;

 private:
  mutable std::mutex mutex_;
  size_t count_ = 0;
  std::vector<std::string> kept_;
};

// Starts `count` threads running body(index) for index 0 to count - 1,
// releases them together once all exist (so that their calls really
// overlap), and joins them. `body` must not throw.
template <class Body>
void run_together(int count, Body body) {
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    threads.emplace_back([&go, &body, i] {
      while (!go.load()) {
        std::this_thread::yield();
      }
      body(i);
    });
  }
  go = true;
  for (auto& thread : threads) {
    thread.join();
  }
}

}  // namespace artifacts::scenarios
