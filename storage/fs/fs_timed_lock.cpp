#include "storage/fs/fs_timed_lock.hpp"

namespace artifacts::fs {

bool timed_lock::try_lock_for(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> guard(mutex_);
  if (!released_.wait_for(guard, timeout, [this] { return !held_; })) {
    return false;
  }
  held_ = true;
  return true;
}

void timed_lock::unlock() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    held_ = false;
  }
  released_.notify_one();
}

}  // namespace artifacts::fs
