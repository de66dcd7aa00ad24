// Blocking actors through which a client's threads wait for their answers,
// kept for the next call rather than spawned for each.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/scoped_actor.hpp>

namespace artifacts {

class caller_pool {
 public:
  explicit caller_pool(caf::actor_system& sys) : sys_(sys) {}
  caller_pool(const caller_pool&) = delete;
  caller_pool& operator=(const caller_pool&) = delete;

  // One caller, for one call at a time on one thread. Back in the pool when
  // the lease ends, unless spoiled.
  class lease {
   public:
    lease(caller_pool& pool, std::unique_ptr<caf::scoped_actor> caller)
        : pool_(&pool), caller_(std::move(caller)) {}
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;
    ~lease() {
      if (caller_ != nullptr) {
        pool_->give_back(std::move(caller_));
      }
    }

    caf::scoped_actor& operator*() const noexcept { return *caller_; }

    // Keeps the caller out of the pool: a call that stopped waiting may still
    // be answered, and that late answer must not reach the next call. The
    // caller is destroyed, so the late answer is dropped.
    void spoil() noexcept { caller_.reset(); }

   private:
    caller_pool* pool_;
    std::unique_ptr<caf::scoped_actor> caller_;
  };

  // An idle caller, or a new one. Never fails.
  lease take();

 private:
  void give_back(std::unique_ptr<caf::scoped_actor> caller);

  caf::actor_system& sys_;
  std::mutex lock_;
  std::vector<std::unique_ptr<caf::scoped_actor>> idle_;
};

}  // namespace artifacts
