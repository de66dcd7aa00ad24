#include "scenarios/local_fixture.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include <artifact_store/configure.hpp>
#include <artifact_store/error.hpp>
#include <artifact_store/store.hpp>

#include "scenarios/process_counts.hpp"

namespace artifacts::scenarios {

namespace {

// How long a closed store's workers get to wind down before what is still
// there counts as left over. Detached actors release their threads shortly
// after they terminate, not at once.
constexpr std::chrono::seconds release_bound{5};

caf::actor_system_config& configured(caf::actor_system_config& cfg) {
  configure_actor_system(cfg);
  return cfg;
}

class local_fixture final : public store_fixture {
 public:
  local_fixture(const store_config& config, std::function<size_t()> count_connections,
                std::shared_ptr<void> resources)
      : resources_(std::move(resources)),
        count_connections_(std::move(count_connections)),
        sys_(configured(cfg_)) {
    // Measured after the actor system started its own threads and actors:
    // only what the store adds is the store's.
    actors_before_ = sys_.registry().running();
    threads_before_ = live_threads();
    connections_before_ = count_connections_ ? count_connections_() : 0;
    auto opened = open_store(sys_, config);
    if (!opened) {
      throw std::runtime_error("open_store failed: " + describe(opened.error()));
    }
    store_.emplace(std::move(*opened));
    client_ = std::make_shared<artifacts::client>(sys_, *store_);
  }

  ~local_fixture() override {
    if (store_) {
      (void)close();
      // A store that failed to close must not keep the actor system's
      // destructor waiting for its supervisor forever.
      caf::anon_send_exit(store_->supervisor(), caf::exit_reason::kill);
    }
    client_.reset();
    store_.reset();
  }

  artifacts::client& client() override {
    if (!client_) {
      throw std::logic_error("store_fixture::client called after close_and_release");
    }
    return *client_;
  }

  std::shared_ptr<artifacts::client> shared_client() override {
    if (!client_) {
      throw std::logic_error("store_fixture::shared_client called after close_and_release");
    }
    return client_;
  }

  caf::error close() override { return store_ ? store_->close(sys_) : caf::error{}; }

  std::optional<size_t> backend_connections() override {
    if (!count_connections_) {
      return std::nullopt;
    }
    return excess(count_connections_(), connections_before_);
  }

  leftovers close_and_release() override {
    (void)close();
    client_.reset();
    store_.reset();
    auto deadline = std::chrono::steady_clock::now() + release_bound;
    for (;;) {
      auto left = measure();
      bool clean = left.actors == 0 && left.threads == 0 && left.connections == 0;
      if (clean || std::chrono::steady_clock::now() >= deadline) {
        return left;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

 private:
  leftovers measure() {
    leftovers out;
    out.actors = excess(sys_.registry().running(), actors_before_);
    out.threads = excess(live_threads(), threads_before_);
    out.connections = backend_connections().value_or(0);
    return out;
  }

  // Declared first: destroyed after the actor system and the store are gone.
  std::shared_ptr<void> resources_;
  std::function<size_t()> count_connections_;
  caf::actor_system_config cfg_;
  caf::actor_system sys_;
  size_t actors_before_ = 0;
  size_t threads_before_ = 0;
  size_t connections_before_ = 0;
  std::optional<store> store_;
  std::shared_ptr<artifacts::client> client_;
};

}  // namespace

std::unique_ptr<store_fixture> make_local_fixture(const store_config& config,
                                                  std::function<size_t()> count_connections,
                                                  std::shared_ptr<void> resources) {
  return std::make_unique<local_fixture>(config, std::move(count_connections),
                                         std::move(resources));
}

}  // namespace artifacts::scenarios
