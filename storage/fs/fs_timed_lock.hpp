// A mutex whose lock can give up after a while.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace artifacts::fs {

// Exclusive ownership with a bounded wait, for std::unique_lock. It does
// what std::timed_mutex does; std::timed_mutex is not used because its
// try_lock_for waits in pthread_mutex_clocklock, which ThreadSanitizer does
// not intercept: the race detector would not see the lock and would report
// every unlock as one of a mutex nobody holds. Built on a std::mutex and a
// condition variable, the lock is visible to it like any other.
class timed_lock {
 public:
  timed_lock() = default;
  timed_lock(const timed_lock&) = delete;
  timed_lock& operator=(const timed_lock&) = delete;

  // Takes ownership, waiting at most `timeout` for the owner to release it.
  // Returns false, owning nothing, when the wait runs out.
  bool try_lock_for(std::chrono::milliseconds timeout);

  // Releases ownership; only the owner calls it.
  void unlock();

 private:
  std::mutex mutex_;
  std::condition_variable released_;
  bool held_ = false;
};

}  // namespace artifacts::fs
