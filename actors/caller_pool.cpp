#include "actors/caller_pool.hpp"

#include <utility>

namespace artifacts {

caller_pool::lease caller_pool::take() {
  {
    std::lock_guard<std::mutex> guard{lock_};
    if (!idle_.empty()) {
      auto caller = std::move(idle_.back());
      idle_.pop_back();
      return lease{*this, std::move(caller)};
    }
  }
  // Hidden: a caller is not an actor of the application's, and the system
  // does not wait for it at shutdown (the client must go first anyway).
  return lease{*this, std::make_unique<caf::scoped_actor>(sys_, true)};
}

void caller_pool::give_back(std::unique_ptr<caf::scoped_actor> caller) {
  std::lock_guard<std::mutex> guard{lock_};
  idle_.push_back(std::move(caller));
}

}  // namespace artifacts
