// A node's monitoring endpoint: its Prometheus metrics and its health over
// HTTP (serve --metrics-address).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <caf/error.hpp>
#include <caf/expected.hpp>

class CivetServer;

namespace prometheus {
class Registry;
}

namespace artifacts::cli {

class monitoring_server {
 public:
  // Whether the store serves: none, or why not.
  using readiness = std::function<caf::error()>;

  // Listens on `host`:`port` (0 picks a free port) and answers GET
  //   /metrics  every family of `registry`, in Prometheus's text format;
  //   /healthz  200 "ok" while the process runs;
  //   /readyz   200 "ready" while `ready` answers none, else 503 with the
  //             error (store_closed while stopping, unavailable while the
  //             backend does not answer).
  // Anything else is 404. Fails with unavailable when it cannot listen
  // there. `ready` is called from the server's threads, one call per
  // /readyz, and must bound its own wait.
  // `before_scrape`, when set, is called before each /metrics answer is
  // collected, to refresh gauges read from elsewhere.
  static caf::expected<std::unique_ptr<monitoring_server>> start(
      const std::string& host, uint16_t port, std::shared_ptr<prometheus::Registry> registry,
      readiness ready, std::function<void()> before_scrape = {});

  // Stops listening; requests being answered finish first.
  ~monitoring_server();
  monitoring_server(const monitoring_server&) = delete;
  monitoring_server& operator=(const monitoring_server&) = delete;

  // The port it listens on.
  uint16_t port() const { return port_; }

 private:
  struct handlers;
  monitoring_server() = default;

  std::unique_ptr<handlers> handlers_;
  std::unique_ptr<CivetServer> server_;
  uint16_t port_ = 0;
};

}  // namespace artifacts::cli
