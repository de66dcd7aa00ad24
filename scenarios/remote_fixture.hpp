// Stores reached through real CAF remoting, and what the remoting tests share.
// The conformance suite's remote fixture; actor systems set up for remoting,
// published stores, clients of a node, and the settings their nodes run with.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <artifact_store/v1/artifacts.pb.h>
#include <artifact_store/client.hpp>
#include <artifact_store/remoting.hpp>
#include <artifact_store/store.hpp>
#include <artifact_store/store_config.hpp>

#include "scenarios/store_fixture.hpp"

namespace artifacts::scenarios {

// How a remote_fixture connects its node and client.
struct remote_fixture_options {
  // The node's and the client's TLS settings; both empty means plain BASP.
  tls_options server_tls;
  tls_options client_tls;
  // Bound on the client's connect (hang_bound: longer in sanitizer builds).
  std::chrono::milliseconds connect_timeout{10000};
  // Kept alive until the store is closed and both actor systems are gone: a
  // temporary schema or directory the DSN points into.
  std::shared_ptr<void> resources;
};

// What the remoting tests hold "promptly" to: far below the request
// timeout, far above any honest delay on a loaded machine.
constexpr std::chrono::seconds prompt_bound{15};

// A request timeout the remoting tests never wait out: a call that fails
// there fails for another reason than its timeout.
constexpr std::chrono::seconds long_request_timeout{30};

// An actor system configured for the store (configure_actor_system) and for
// remoting with `options`. Also ignores SIGPIPE for the whole process, once:
// a process that talks to peers must not die when one hangs up.
class remoting_system {
 public:
  // Throws std::runtime_error, naming the cause, when remoting cannot be
  // configured with `options`.
  explicit remoting_system(const remoting_options& options = {});
  remoting_system(const remoting_system&) = delete;
  remoting_system& operator=(const remoting_system&) = delete;

  // The actor system, running.
  caf::actor_system& get() noexcept { return sys_; }

 private:
  caf::actor_system_config cfg_;
  caf::actor_system sys_;
};

// A store served by a node: published on 127.0.0.1 at a free port of `sys`.
// Closes and unpublishes the store on destruction, and kills its supervisor
// should the close fail, so that the actor system can still stop.
class published_store {
 public:
  // Opens a store on `config` in `sys` and publishes it. Throws
  // std::runtime_error, naming the cause, when it cannot be opened or
  // published.
  published_store(caf::actor_system& sys, const store_config& config);
  // Publishes `opened`, a store of `sys`. Closes it and throws
  // std::runtime_error, naming the cause, when it cannot be published.
  published_store(caf::actor_system& sys, store opened);
  ~published_store();
  published_store(const published_store&) = delete;
  published_store& operator=(const published_store&) = delete;

  // The port the store is published on.
  uint16_t port() const noexcept { return port_; }
  // The store itself, with its local-only interface.
  const store& local() const noexcept { return store_; }

  // Closes the store, then unpublishes it. Idempotent: a second call does
  // nothing and returns no error. Returns the close's error, if any.
  caf::error close();

 private:
  // close(), and a kill of the supervisor should the close have failed.
  void release();

  caf::actor_system& sys_;
  store store_;
  uint16_t port_ = 0;
  bool open_ = true;
};

// A client of the node on host:port, in a remoting_system of its own (set up
// with `options`), over real CAF remoting; each request is bounded by
// `request_timeout`. The client goes before its actor system.
class remote_client {
 public:
  // Throws std::runtime_error, naming the cause, when remoting cannot be
  // configured or the node cannot be reached within `connect_timeout`.
  remote_client(const std::string& host, uint16_t port, const remoting_options& options = {},
                std::chrono::milliseconds connect_timeout = std::chrono::seconds{10},
                std::chrono::milliseconds request_timeout = long_request_timeout);
  ~remote_client();
  remote_client(const remote_client&) = delete;
  remote_client& operator=(const remote_client&) = delete;

  // The client of the node.
  artifacts::client& client() noexcept { return *client_; }

 private:
  remoting_system system_;
  std::unique_ptr<artifacts::client> client_;
};

// remoting_options with `tls` and the default heartbeats.
remoting_options with_tls(const tls_options& tls);

// A memory: store with long_request_timeout and a 10 s close timeout: what
// the nodes of the remoting tests serve.
store_config memory_node_config();

// A node and a client that speak TLS with the shared test certificates
// (test_certificates.hpp): server and client certificates of one CA.
remote_fixture_options tls_fixture_options();

// The scope the remoting tests store under: acme / alice / session-1.
const v1::Scope& remote_test_scope();

// Two actor systems in one process, so that every message is serialised and
// crosses a real TCP connection: a server system that opens the store (any
// driver: config.storage.dsn decides) and
// publishes it on 127.0.0.1 (a free port), and a client system that connects
// to it with connect_store and wraps the remote handle in a client (bounded
// by config.request_timeout). The client cannot see the store's closed flag:
// it learns everything over the wire.
//
// close() closes the server's store and unpublishes it; leftovers count the
// server's actors and the process's threads.
class remote_fixture final : public store_fixture {
 public:
  // Throws std::runtime_error, naming the cause, when remoting cannot be
  // configured, the store cannot be opened or published, or the client
  // cannot connect.
  remote_fixture(const store_config& config, const remote_fixture_options& options);
  ~remote_fixture() override;

  artifacts::client& client() override;
  std::shared_ptr<artifacts::client> shared_client() override;
  caf::error close() override;
  std::optional<size_t> backend_connections() override { return std::nullopt; }
  leftovers close_and_release() override;

  caf::actor_system& server_system() noexcept;
  caf::actor_system& client_system() noexcept;
  // The store on the server side (its full local interface).
  const store& server_store() const;
  // The remote handle the client uses.
  const store_actor& remote_handle() const noexcept;
  uint16_t port() const noexcept;

 private:
  struct systems;
  std::unique_ptr<systems> systems_;
};

// A remote_fixture behind the store_fixture interface.
std::unique_ptr<store_fixture> make_remote_fixture(const store_config& config,
                                                   const remote_fixture_options& options = {});

}  // namespace artifacts::scenarios
