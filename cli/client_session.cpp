#include "cli/client_session.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include "actors/configure.hpp"
#include "actors/error.hpp"
#include "actors/remoting.hpp"

namespace artifacts::cli {

client_session::client_session() = default;

client_session::~client_session() {
  client_.reset();
  if (local_) {
    // A close that failed left a worker inside a backend call, which the
    // backend's own timeouts bound; the actor system below waits for it.
    // The command's result is printed already, so there is nothing to report.
    (void)local_->close(*system_);
  }
  local_.reset();
  system_.reset();
}

caf::expected<std::unique_ptr<client_session>> client_session::open(const store_target& target,
                                                                    const client_flags& flags) {
  std::unique_ptr<client_session> session{new client_session};
  const std::chrono::milliseconds request_timeout{flags.timeout_ms};
  const std::chrono::milliseconds connect_timeout{flags.connect_timeout_ms};
  session->config_ = std::make_unique<caf::actor_system_config>();
  configure_actor_system(*session->config_);
  tune_scheduler_for_request_latency(*session->config_);
  if (target.node) {
    const auto remoting = client_remoting_options(flags.tls);
    if (auto err = configure_remoting(*session->config_, remoting)) {
      return err;
    }
  }
  try {
    session->system_ = std::make_unique<caf::actor_system>(*session->config_);
  } catch (const std::exception& e) {
    return make_error(errc::internal, std::string("cannot start the actor system: ") + e.what());
  }
  auto& sys = *session->system_;
  if (target.node) {
    auto remote = connect_store(sys, target.node->host, target.node->port, connect_timeout);
    if (!remote) {
      return std::move(remote.error());
    }
    // The node may drop a connection under the client (CAF 0.17 can lose a
    // connection's route when it reuses a closed one's handle; see
    // docs/reliability.md): a repeatable call is then sent again on a new
    // one.
    auto host = target.node->host;
    auto port = target.node->port;
    auto reconnect = [&sys, host, port, connect_timeout] {
      return connect_store(sys, host, port, connect_timeout);
    };
    session->client_ =
        std::make_unique<artifacts::client>(sys, *remote, request_timeout, std::move(reconnect));
    return session;
  }
  store_config config;
  config.storage.dsn = target.dsn;
  config.storage.connect_timeout = connect_timeout;
  // One request at a time: one worker, one connection.
  config.pool_size = 1;
  config.request_timeout = request_timeout;
  config.close_timeout = request_timeout;
  auto local = open_store(sys, config);
  if (!local) {
    return std::move(local.error());
  }
  session->local_ = std::move(*local);
  session->client_ = std::make_unique<artifacts::client>(sys, *session->local_);
  return session;
}

}  // namespace artifacts::cli
