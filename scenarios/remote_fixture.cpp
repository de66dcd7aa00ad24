#include "scenarios/remote_fixture.hpp"

#include <csignal>
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

#include <artifact_store/client.hpp>
#include <artifact_store/configure.hpp>
#include <artifact_store/error.hpp>
#include <artifact_store/node.hpp>

#include "scenarios/load_scale.hpp"
#include "scenarios/process_counts.hpp"
#include "scenarios/requests.hpp"
#include "scenarios/test_certificates.hpp"

namespace artifacts::scenarios {

namespace {

// How long a closed store's workers get to wind down before what is still
// there counts as left over.
constexpr std::chrono::seconds release_bound{5};

// `cfg`, set up for the store and for remoting with `options`: what an actor
// system must be made from before it starts. Also ignores SIGPIPE for the
// whole process, once: writing to a peer that hung up must fail the write,
// not end the process.
caf::actor_system_config& configured(caf::actor_system_config& cfg,
                                     const remoting_options& options) {
  static const bool sigpipe_ignored = [] {
    std::signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)sigpipe_ignored;
  configure_actor_system(cfg);
  if (auto err = configure_remoting(cfg, options)) {
    throw std::runtime_error("configure_remoting failed: " + describe(err));
  }
  return cfg;
}

// Opens a store on `config` in `sys`; throws std::runtime_error when it
// cannot.
store open_or_throw(caf::actor_system& sys, const store_config& config) {
  auto opened = open_store(sys, config);
  if (!opened) {
    throw std::runtime_error("open_store failed: " + describe(opened.error()));
  }
  return std::move(*opened);
}

}  // namespace

published_store::published_store(caf::actor_system& sys, const store_config& config)
    : published_store(sys, open_or_throw(sys, config)) {}

published_store::published_store(caf::actor_system& sys, store opened)
    : sys_(sys), store_(std::move(opened)) {
  publish_options where;
  where.bind = "127.0.0.1";
  where.port = 0;
  auto bound = publish_store(sys_, store_, where);
  if (!bound) {
    // port_ is still 0: release() closes the store and unpublishes nothing.
    release();
    throw std::runtime_error("publish_store failed: " + describe(bound.error()));
  }
  port_ = *bound;
}

published_store::~published_store() {
  release();
}

caf::error published_store::close() {
  if (!open_) {
    return {};
  }
  open_ = false;
  auto err = store_.close(sys_);
  if (port_ != 0) {
    unpublish_store(sys_, store_, port_);
  }
  return err;
}

void published_store::release() {
  (void)close();
  // A store that failed to close must not keep the actor system's
  // destructor waiting for its supervisor forever.
  caf::anon_send_exit(store_.supervisor(), caf::exit_reason::kill);
}

remoting_system::remoting_system(const remoting_options& options)
    : sys_(configured(cfg_, options)) {}

remote_client::remote_client(const std::string& host, uint16_t port,
                             const remoting_options& options,
                             std::chrono::milliseconds connect_timeout,
                             std::chrono::milliseconds request_timeout)
    : system_(options) {
  auto remote = connect_store(system_.get(), host, port, connect_timeout);
  if (!remote) {
    throw std::runtime_error("connect_store " + host + ":" + std::to_string(port) +
                             " failed: " + describe(remote.error()));
  }
  client_ = std::make_unique<artifacts::client>(system_.get(), std::move(*remote), request_timeout);
}

remote_client::~remote_client() {
  // The client goes before its actor system.
  client_.reset();
}

remoting_options with_tls(const tls_options& tls) {
  remoting_options options;
  options.tls = tls;
  return options;
}

store_config memory_node_config() {
  store_config config;
  config.storage.dsn = "memory:";
  config.request_timeout = long_request_timeout;
  config.close_timeout = std::chrono::seconds{10};
  return config;
}

remote_fixture_options tls_fixture_options() {
  auto certificates = shared_test_certificates();
  remote_fixture_options options;
  options.server_tls = certificates->server();
  options.client_tls = certificates->client();
  return options;
}

const v1::Scope& remote_test_scope() {
  static const auto scope = make_scope("acme", "alice", "session-1");
  return scope;
}

struct remote_fixture::systems {
  systems(const store_config& config, const remote_fixture_options& options)
      : resources(options.resources),
        server_side(with_tls(options.server_tls)),
        client_side(with_tls(options.client_tls)) {
    // Measured once both systems run their own threads and actors: only
    // what the store adds is the store's.
    actors_before = server.registry().running();
    threads_before = live_threads();
    node.emplace(server, config);
    // Its own node on loopback: the bound only catches a hang, and a TLS
    // handshake in a sanitizer build beside a heavy test takes seconds.
    auto connected = connect_store(client_side.get(), "127.0.0.1", node->port(),
                                   hang_bound(options.connect_timeout));
    if (!connected) {
      shut_down();
      throw std::runtime_error("connect_store failed: " + describe(connected.error()));
    }
    remote = std::move(*connected);
    store_client =
        std::make_shared<artifacts::client>(client_side.get(), remote, config.request_timeout);
  }

  ~systems() { shut_down(); }

  caf::error close() { return node ? node->close() : caf::error{}; }

  // Leaves nothing that would keep either actor system's destructor waiting.
  void shut_down() {
    store_client.reset();
    remote = nullptr;
    node.reset();
  }

  leftovers measure() {
    leftovers out;
    out.actors = excess(server.registry().running(), actors_before);
    out.threads = excess(live_threads(), threads_before);
    return out;
  }

  // Declared first: destroyed after both actor systems and the store.
  std::shared_ptr<void> resources;
  remoting_system server_side;
  remoting_system client_side;
  caf::actor_system& server = server_side.get();
  size_t actors_before = 0;
  size_t threads_before = 0;
  std::optional<published_store> node;
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
  return systems_->client_side.get();
}

const store& remote_fixture::server_store() const {
  if (!systems_->node) {
    throw std::logic_error("remote_fixture: the store is gone");
  }
  return systems_->node->local();
}

const store_actor& remote_fixture::remote_handle() const noexcept {
  return systems_->remote;
}

uint16_t remote_fixture::port() const noexcept {
  return systems_->node ? systems_->node->port() : 0;
}

std::unique_ptr<store_fixture> make_remote_fixture(const store_config& config,
                                                   const remote_fixture_options& options) {
  return std::make_unique<remote_fixture>(config, options);
}

}  // namespace artifacts::scenarios
