#include "cli/monitoring_server.hpp"

#include <exception>
#include <string>
#include <vector>

#include <CivetServer.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <artifact_store/errc.hpp>
#include <artifact_store/error.hpp>

#include "cli/store_address.hpp"

namespace artifacts::cli {

namespace {

// Writes a whole response and asks the client to close the connection.
void respond(mg_connection* connection, int status, const char* reason, const char* content_type,
             const std::string& body) {
  mg_printf(connection,
            "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
            "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
            status, reason, content_type, body.size());
  mg_write(connection, body.data(), body.size());
}

class metrics_handler : public CivetHandler {
 public:
  metrics_handler(std::shared_ptr<prometheus::Registry> registry,
                  std::function<void()> before_scrape)
      : registry_(std::move(registry)), before_scrape_(std::move(before_scrape)) {}

  bool handleGet(CivetServer*, mg_connection* connection) override {
    if (before_scrape_) {
      before_scrape_();
    }
    const std::string text = prometheus::TextSerializer{}.Serialize(registry_->Collect());
    respond(connection, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", text);
    return true;
  }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::function<void()> before_scrape_;
};

class health_handler : public CivetHandler {
 public:
  bool handleGet(CivetServer*, mg_connection* connection) override {
    respond(connection, 200, "OK", "text/plain; charset=utf-8", "ok\n");
    return true;
  }
};

class readiness_handler : public CivetHandler {
 public:
  explicit readiness_handler(monitoring_server::readiness ready) : ready_(std::move(ready)) {}

  bool handleGet(CivetServer*, mg_connection* connection) override {
    caf::error why_not;
    try {
      why_not = ready_();
    } catch (const std::exception& e) {
      why_not = make_error(errc::internal, e.what());
    }
    if (!why_not) {
      respond(connection, 200, "OK", "text/plain; charset=utf-8", "ready\n");
    } else {
      respond(connection, 503, "Service Unavailable", "text/plain; charset=utf-8",
              std::string(to_string(code_of(why_not))) + ": " + message_of(why_not) + "\n");
    }
    return true;
  }

 private:
  monitoring_server::readiness ready_;
};

}  // namespace

struct monitoring_server::handlers {
  metrics_handler metrics;
  health_handler health;
  readiness_handler readiness;
};

caf::expected<std::unique_ptr<monitoring_server>> monitoring_server::start(
    const std::string& host, uint16_t port, std::shared_ptr<prometheus::Registry> registry,
    readiness ready, std::function<void()> before_scrape) {
  std::unique_ptr<monitoring_server> out{new monitoring_server};
  out->handlers_.reset(new handlers{metrics_handler{std::move(registry), std::move(before_scrape)}, health_handler{},
                                    readiness_handler{std::move(ready)}});
  // A few threads: a scrape and a probe or two at once, and nothing more.
  const std::vector<std::string> options{
      "listening_ports", format_address(host, port), "num_threads", "4", "request_timeout_ms",
      "10000",           "enable_keep_alive",        "no"};
  try {
    out->server_ = std::make_unique<CivetServer>(options);
  } catch (const std::exception& e) {
    return make_error(errc::unavailable,
                      "metrics: cannot listen on " + format_address(host, port) + ": " + e.what());
  }
  out->server_->addHandler("/metrics", out->handlers_->metrics);
  out->server_->addHandler("/healthz", out->handlers_->health);
  out->server_->addHandler("/readyz", out->handlers_->readiness);
  const auto ports = out->server_->getListeningPorts();
  out->port_ = ports.empty() ? port : static_cast<uint16_t>(ports.front());
  return out;
}

monitoring_server::~monitoring_server() {
  if (server_) {
    server_->close();
  }
}

}  // namespace artifacts::cli
