// A store reached through real CAF remoting, for the conformance suite and
// the remoting tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include <caf/fwd.hpp>

#include "actors/remoting.hpp"
#include "actors/store.hpp"
#include "actors/store_config.hpp"
#include "scenarios/store_fixture.hpp"

namespace artifacts::scenarios {

struct remote_fixture_options {
  // The node's and the client's TLS settings; both empty means plain BASP.
  tls_options server_tls;
  tls_options client_tls;
  // Bound on the client's connect.
  std::chrono::milliseconds connect_timeout{10000};
  // Kept alive until the store is closed and both actor systems are gone: a
  // temporary schema or directory the DSN points into.
  std::shared_ptr<void> resources;
};

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
