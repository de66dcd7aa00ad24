// The store a client command talks to, and the actor system it needs.
#pragma once

#include <memory>
#include <optional>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include "actors/client.hpp"
#include "actors/store.hpp"
#include "cli/flags.hpp"
#include "cli/store_target.hpp"

namespace artifacts::cli {

// A blocking client of either an in-process store opened on a DSN or a
// store published by a node. The same calls, the same results and errors,
// whichever it is. Destroying the session closes an in-process store and
// disconnects from a node.
class client_session {
 public:
  // Opens the store `target` names, bounding every request by
  // flags.timeout_ms. In-process: the open_store errors (invalid_argument,
  // unknown_driver, unavailable when the database server does not answer
  // within flags.connect_timeout_ms, internal). Against a node: invalid_argument
  // for TLS flags that are half given or name unreadable files, unavailable
  // when the node does not answer within flags.connect_timeout_ms or refuses
  // the handshake, internal when what answers is no artifact store.
  static caf::expected<std::unique_ptr<client_session>> open(const store_target& target,
                                                             const client_flags& flags);

  ~client_session();
  client_session(const client_session&) = delete;
  client_session& operator=(const client_session&) = delete;

  artifacts::client& client() { return *client_; }

  // The actor system the client's requests run in; valid as long as the
  // session.
  caf::actor_system& system() { return *system_; }

 private:
  client_session();

  // Built in declaration order; the destructor drops the client first, then
  // closes the in-process store, then stops the actor system (which must
  // outlive everything that uses it, and the config outlives the system).
  std::unique_ptr<caf::actor_system_config> config_;
  std::unique_ptr<caf::actor_system> system_;
  std::optional<store> local_;
  std::unique_ptr<artifacts::client> client_;
};

}  // namespace artifacts::cli
