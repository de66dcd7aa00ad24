#include "scenarios/remote_fixture.hpp"

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include "actors/client.hpp"
#include "actors/configure.hpp"
#include "actors/error.hpp"
#include "actors/node.hpp"
#include "scenarios/process_counts.hpp"

namespace artifacts::scenarios {

namespace {

// How long a closed store's workers get to wind down before what is still
// there counts as left over.
constexpr std::chrono::seconds release_bound{5};

caf::actor_system_config& configured(caf::actor_system_config& cfg, const tls_options& tls,
                                     const char* side) {
  configure_actor_system(cfg);
  remoting_options options;
  options.tls = tls;
  if (auto err = configure_remoting(cfg, options)) {
    throw std::runtime_error(std::string(side) + ": configure_remoting failed: " + describe(err));
  }
  return cfg;
}

}  // namespace

struct remote_fixture::systems {
  systems(const store_config& config, const remote_fixture_options& options)
      : resources(options.resources),
        server(configured(server_cfg, options.server_tls, "server")),
        client_side(configured(client_cfg, options.client_tls, "client")) {
    // Measured once both systems run their own threads and actors: only
    // what the store adds is the store's.
    actors_before = server.registry().running();
    threads_before = live_threads();
    auto opened = open_store(server, config);
    if (!opened) {
      throw std::runtime_error("open_store failed: " + describe(opened.error()));
    }
    local.emplace(std::move(*opened));
    publish_options where;
    where.bind = "127.0.0.1";
    where.port = 0;
    auto bound = publish_store(server, *local, where);
    if (!bound) {
      shut_down();
      throw std::runtime_error("publish_store failed: " + describe(bound.error()));
    }
    port = *bound;
    published = true;
    auto connected = connect_store(client_side, "127.0.0.1", port, options.connect_timeout);
    if (!connected) {
      shut_down();
      throw std::runtime_error("connect_store failed: " + describe(connected.error()));
    }
    remote = std::move(*connected);
    store_client = std::make_shared<artifacts::client>(client_side, remote, config.request_timeout);
  }

  ~systems() { shut_down(); }

  caf::error close() {
    if (!local) {
      return {};
    }
    auto err = local->close(server);
    if (published) {
      unpublish_store(server, *local, port);
      published = false;
    }
    return err;
  }

  // Leaves nothing that would keep either actor system's destructor waiting.
  void shut_down() {
    store_client.reset();
    remote = nullptr;
    if (local) {
      (void)close();
      // A store that failed to close must not keep the actor system's
      // destructor waiting for its supervisor forever.
      caf::anon_send_exit(local->supervisor(), caf::exit_reason::kill);
      local.reset();
    }
  }

  leftovers measure() {
    leftovers out;
    out.actors = excess(server.registry().running(), actors_before);
    out.threads = excess(live_threads(), threads_before);
    return out;
  }

  // Declared first: destroyed after both actor systems and the store.
  std::shared_ptr<void> resources;
  caf::actor_system_config server_cfg;
  caf::actor_system server;
  caf::actor_system_config client_cfg;
  caf::actor_system client_side;
  size_t actors_before = 0;
  size_t threads_before = 0;
  std::optional<store> local;
  uint16_t port = 0;
  bool published = false;
  store_actor remote;
  std::shared_ptr<artifacts::client> store_client;
};

remote_fixture::remote_fixture(const store_config& config, const remote_fixture_options& options)
    : systems_(std::make_unique<systems>(config, options)) {}

remote_fixture::~remote_fixture() = default;

artifacts::client& remote_fixture::client() {
  return *shared_client();
}

std::shared_ptr<artifacts::client> remote_fixture::shared_client() {
  if (!systems_->store_client) {
    throw std::logic_error("remote_fixture: the client is gone after close_and_release");
  }
  return systems_->store_client;
}

caf::error remote_fixture::close() {
  return systems_->close();
}

leftovers remote_fixture::close_and_release() {
  (void)close();
  systems_->store_client.reset();
  auto deadline = std::chrono::steady_clock::now() + release_bound;
  for (;;) {
    auto left = systems_->measure();
    if ((left.actors == 0 && left.threads == 0) || std::chrono::steady_clock::now() >= deadline) {
      return left;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

caf::actor_system& remote_fixture::server_system() noexcept {
  return systems_->server;
}

caf::actor_system& remote_fixture::client_system() noexcept {
  return systems_->client_side;
}

const store& remote_fixture::server_store() const {
  if (!systems_->local) {
    throw std::logic_error("remote_fixture: the store is gone");
  }
  return *systems_->local;
}

const store_actor& remote_fixture::remote_handle() const noexcept {
  return systems_->remote;
}

uint16_t remote_fixture::port() const noexcept {
  return systems_->port;
}

std::unique_ptr<store_fixture> make_remote_fixture(const store_config& config,
                                                   const remote_fixture_options& options) {
  return std::make_unique<remote_fixture>(config, options);
}

}  // namespace artifacts::scenarios
