// Bounds calls that wait on a PostgreSQL server which may never answer.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

namespace artifacts::postgres {

// statement_timeout is enforced by the server, so a server process that is
// frozen (stopped, swapped out, wedged in the kernel) or a peer that vanished
// without a FIN leaves a client blocked in a socket read forever. The
// watchdog closes that gap: a call arms it with its socket and a deadline,
// and if the call is still running at the deadline the watchdog shuts the
// socket down (shutdown(2), not close), so that the blocked read fails and
// libpq reports the connection lost.
//
// One watchdog serves every connection of a driver, on one thread of its
// own that sleeps until the nearest deadline. Thread-safe.
class call_watchdog {
 public:
  using clock = std::chrono::steady_clock;

  call_watchdog();
  // Stops and joins the watchdog's thread. No call may still be armed.
  ~call_watchdog();
  call_watchdog(const call_watchdog&) = delete;
  call_watchdog& operator=(const call_watchdog&) = delete;

  // One armed call; disarms when destroyed, which must happen before the
  // socket is closed. fired() tells whether the deadline passed and the
  // socket was shut down: the connection is then unusable.
  class armed {
   public:
    armed(call_watchdog& owner, uint64_t id) noexcept : owner_(&owner), id_(id) {}
    ~armed();
    armed(armed&& other) noexcept : owner_(other.owner_), id_(other.id_) { other.owner_ = nullptr; }
    armed(const armed&) = delete;
    armed& operator=(const armed&) = delete;
    armed& operator=(armed&&) = delete;

    bool fired() const;

   private:
    call_watchdog* owner_;
    uint64_t id_;
  };

  // Arms a call on `socket` (a connected socket descriptor) that must be
  // over by `deadline`. A negative socket arms nothing that can fire.
  armed arm(int socket, clock::time_point deadline);

 private:
  struct entry {
    int socket;
    clock::time_point deadline;
    bool fired = false;
  };

  void run();
  void disarm(uint64_t id);
  bool fired(uint64_t id) const;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<uint64_t, entry> calls_;
  uint64_t next_id_ = 0;
  // The deadline the thread sleeps until (max while it waits for any call).
  clock::time_point sleeps_until_ = clock::time_point::max();
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace artifacts::postgres
