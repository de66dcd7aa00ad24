#include "cli/client_session.hpp"

#include <chrono>
#include <optional>
#include <random>
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
  if (!address.nodes.empty()) {
    remoting = client_remoting_options(flags.tls);
  }
  auto host = store_host::start(remoting);
  if (!host) {
    return std::move(host.error());
  }
  session->host_ = std::move(*host);
  auto& sys = session->host_->system();
  if (!address.nodes.empty()) {
    const auto nodes = address.nodes;
    auto connect = [&sys, nodes, connect_timeout](size_t index) {
      return connect_store(sys, nodes.at(index).host, nodes.at(index).port, connect_timeout);
    };
    // Commands started one after another begin on different nodes of a
    // fleet; the first that answers is the one the client starts from.
    const size_t start = nodes.size() == 1 ? 0 : std::random_device{}() % nodes.size();
    caf::expected<store_actor> remote{caf::error{}};
    size_t first = start;
    for (size_t k = 0; k < nodes.size(); ++k) {
      first = (start + k) % nodes.size();
      remote = connect(first);
      if (remote) {
        break;
      }
    }
    if (!remote) {
      return std::move(remote.error());
    }
    if (nodes.size() == 1) {
      // The node may drop a connection under the client (CAF 0.17 can lose
      // a connection's route when it reuses a closed one's handle; see
      // docs/reliability.md): a repeatable call is then sent again on a new
      // one.
      session->client_ = std::make_unique<artifacts::client>(sys, *remote, request_timeout,
                                                             [connect] { return connect(0); });
    } else {
      session->client_ = std::make_unique<artifacts::client>(sys, *remote, first, request_timeout,
                                                             connect, nodes.size());
    }
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
