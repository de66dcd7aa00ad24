#include "cli/client_session.hpp"

#include <chrono>
#include <optional>
#include <string>

#include <artifact_store/remoting.hpp>

namespace artifacts::cli {

caf::expected<std::unique_ptr<client_session>> client_session::open(
    const store_address& address, const client_flags& flags, size_t pool_size,
    std::shared_ptr<store_metrics> metrics) {
  std::unique_ptr<client_session> session{new client_session};
  const std::chrono::milliseconds request_timeout{flags.timeout_ms};
  const std::chrono::milliseconds connect_timeout{flags.connect_timeout_ms};
  std::optional<remoting_options> remoting;
  if (address.node) {
    remoting = client_remoting_options(flags.tls);
  }
  auto host = store_host::start(remoting);
  if (!host) {
    return std::move(host.error());
  }
  session->host_ = std::move(*host);
  auto& sys = session->host_->system();
  if (address.node) {
    auto remote = connect_store(sys, address.node->host, address.node->port, connect_timeout);
    if (!remote) {
      return std::move(remote.error());
    }
    // The node may drop a connection under the client (CAF 0.17 can lose a
    // connection's route when it reuses a closed one's handle; see
    // docs/reliability.md): a repeatable call is then sent again on a new
    // one.
    auto host_name = address.node->host;
    auto port = address.node->port;
    auto reconnect = [&sys, host_name, port, connect_timeout] {
      return connect_store(sys, host_name, port, connect_timeout);
    };
    session->client_ =
        std::make_unique<artifacts::client>(sys, *remote, request_timeout, std::move(reconnect));
    return session;
  }
  store_config config;
  config.storage.dsn = address.dsn;
  config.storage.connect_timeout = connect_timeout;
  config.pool_size = pool_size;
  config.request_timeout = request_timeout;
  config.close_timeout = request_timeout;
  config.metrics = std::move(metrics);
  if (auto err = session->host_->open(config)) {
    return err;
  }
  session->client_ = std::make_unique<artifacts::client>(sys, *session->host_->local());
  return session;
}

}  // namespace artifacts::cli
