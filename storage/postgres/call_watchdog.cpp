#include "storage/postgres/call_watchdog.hpp"

#include <sys/socket.h>

#include <algorithm>

namespace artifacts::postgres {

call_watchdog::call_watchdog() : thread_([this] { run(); }) {}

call_watchdog::~call_watchdog() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

call_watchdog::armed::~armed() {
  if (owner_ != nullptr) {
    owner_->disarm(id_);
  }
}

bool call_watchdog::armed::fired() const {
  return owner_ != nullptr && owner_->fired(id_);
}

call_watchdog::armed call_watchdog::arm(int socket, clock::time_point deadline) {
  uint64_t id = 0;
  bool must_wake = false;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    id = next_id_++;
    calls_.emplace(id, entry{socket, deadline});
    // Waking the thread costs a context switch per call; it is only needed
    // when this deadline comes before the one the thread sleeps until, which
    // under steady traffic (one call bound for all) is almost never.
    must_wake = deadline < sleeps_until_;
    if (must_wake) {
      sleeps_until_ = deadline;
    }
  }
  if (must_wake) {
    wake_.notify_all();
  }
  return armed{*this, id};
}

void call_watchdog::disarm(uint64_t id) {
  // Under the lock: once this returns, the watchdog can no longer shut the
  // socket down, so the caller may close it and the number may be reused.
  std::lock_guard<std::mutex> guard(mutex_);
  calls_.erase(id);
}

bool call_watchdog::fired(uint64_t id) const {
  std::lock_guard<std::mutex> guard(mutex_);
  auto pos = calls_.find(id);
  return pos != calls_.end() && pos->second.fired;
}

void call_watchdog::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    auto now = clock::now();
    auto nearest = clock::time_point::max();
    for (auto& [id, call] : calls_) {
      if (call.fired) {
        continue;
      }
      if (call.deadline <= now) {
        call.fired = true;
        if (call.socket >= 0) {
          ::shutdown(call.socket, SHUT_RDWR);
        }
        continue;
      }
      nearest = std::min(nearest, call.deadline);
    }
    // A disarmed call's deadline may still be the nearest one here: the
    // thread then wakes once for nothing, rather than every call waking it.
    sleeps_until_ = nearest;
    if (nearest == clock::time_point::max()) {
      wake_.wait(lock);
    } else {
      wake_.wait_until(lock, nearest);
    }
  }
}

}  // namespace artifacts::postgres
