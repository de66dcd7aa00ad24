// The store a client command talks to, and the actor system it needs.
#pragma once

#include <cstddef>
#include <memory>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include <artifact_store/client.hpp>
#include <artifact_store/store_config.hpp>

#include "cli/flags.hpp"
#include "cli/store_address.hpp"
#include "cli/store_host.hpp"

namespace artifacts::cli {

// A blocking client of either an in-process store opened on a DSN or a
// store published by a node. The same calls, the same results and errors,
// whichever it is. Destroying the session closes an in-process store and
// disconnects from a node.
class client_session {
 public:
  // Opens the store `address` names, bounding every request by
  // flags.timeout_ms; an in-process store gets `pool_size` workers (one for
  // a command's one request at a time). In-process: the open_store errors (invalid_argument,
  // unknown_driver, unavailable when the database server does not answer
  // within flags.connect_timeout_ms, internal). Against a node: invalid_argument
  // for TLS flags that are half given or name unreadable files, unavailable
  // when the node does not answer within flags.connect_timeout_ms or refuses
  // the handshake, internal when what answers is no artifact store.
  // `metrics`, for an in-process store only, is store_config::metrics.
  static caf::expected<std::unique_ptr<client_session>> open(
      const store_address& address, const client_flags& flags, size_t pool_size = 1,
      std::shared_ptr<store_metrics> metrics = nullptr);

  ~client_session() = default;
  client_session(const client_session&) = delete;
  client_session& operator=(const client_session&) = delete;

  artifacts::client& client() { return *client_; }

  // The in-process store, or null for a node.
  const store* local_store() const { return host_->local(); }

  // The actor system the client's requests run in; valid as long as the
  // session.
  caf::actor_system& system() { return host_->system(); }

 private:
  client_session() = default;

  // Destroyed in reverse order: the client first, then the host, which
  // closes an in-process store and stops the actor system.
  std::unique_ptr<store_host> host_;
  std::unique_ptr<artifacts::client> client_;
};

}  // namespace artifacts::cli
