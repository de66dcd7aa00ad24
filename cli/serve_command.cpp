#include "cli/serve_command.hpp"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <memory>

#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include <artifact_store/client.hpp>
#include <artifact_store/error.hpp>
#include <artifact_store/metrics.hpp>
#include <artifact_store/node.hpp>
#include <artifact_store/remoting.hpp>

#include "cli/access_log.hpp"
#include "cli/connection_count.hpp"
#include "cli/durations.hpp"
#include "cli/exit_status.hpp"
#include "cli/monitoring_server.hpp"
#include "cli/node_log.hpp"
#include "cli/quota_file.hpp"
#include "cli/report.hpp"
#include "cli/service_manager.hpp"
#include "cli/shutdown_signals.hpp"
#include "cli/store_address.hpp"
#include "cli/store_host.hpp"
#include "storage/dsn.hpp"

namespace artifacts::cli {

namespace {

// The driver's name, for the log: the DSN itself may hold a password.
std::string driver_name(const std::string& dsn) {
  try {
    return std::string{driver_kind_name(parse_dsn(dsn).kind)};
  } catch (const std::exception&) {
    // open_store has accepted the DSN already; this cannot happen.
  }
  return "unknown";
}

// How long /readyz waits for the store's answer.
constexpr std::chrono::milliseconds readiness_bound{2000};

// /readyz: the store is open, not stopping, and a worker's backend answers a
// read within readiness_bound (the probe ping sends).
caf::error readiness(client& probe, const std::atomic<bool>& stopping) {
  if (stopping) {
    return make_error(errc::store_closed, "the node is stopping");
  }
  v1::Scope tenant;
  tenant.set_tenant("artifact-store.ready");
  auto answered = probe.usage(tenant);
  return answered ? caf::error{} : std::move(answered.error());
}

}  // namespace

std::string check_namespace_ttl(const std::string& text) {
  const auto equals = text.rfind('=');
  if (equals == std::string::npos || equals == 0 || !parse_duration(text.substr(equals + 1))) {
    return "expects NAMESPACE=DURATION, such as default=7d or scratch=2h";
  }
  return {};
}

int run_serve(const serve_flags& flags) {
  // Before the actor system starts its threads, so that they inherit the mask.
  shutdown_signals signals;
  configure_log(flags.log_level, flags.log_format);
  spdlog::debug(
      "configuration: dsn " + dsn_without_password(resolve_dsn(flags.dsn)) +
      (flags.read_dsn.empty() ? "" : ", read dsn " + dsn_without_password(flags.read_dsn)) +
      ", bind " + flags.publish.bind + ", port " + std::to_string(flags.publish.port) + ", " +
      std::to_string(flags.pool_size) + " workers, request timeout " +
      std::to_string(flags.timeout_ms) + " ms, statement timeout " +
      std::to_string(flags.statement_timeout_ms) + " ms, largest payload " +
      std::to_string(flags.max_payload_bytes) + " bytes, TLS " +
      (flags.tls.enabled() ? "on" : "off") +
      (flags.metrics_address.empty() ? "" : ", metrics on " + flags.metrics_address));

  const std::string dsn = resolve_dsn(flags.dsn);
  remoting_options remoting;
  remoting.tls = flags.tls;
  auto host = store_host::start(remoting, flags.caf_flags);
  if (!host) {
    return report_error(host.error());
  }
  auto& sys = (*host)->system();
  store_config config;
  config.storage.dsn = dsn;
  config.storage.read_dsn = flags.read_dsn;
  config.pool_size = flags.pool_size;
  config.request_timeout = std::chrono::milliseconds{flags.timeout_ms};
  config.close_timeout = config.request_timeout;
  config.max_in_flight = flags.max_in_flight;
  config.max_in_flight_bytes = flags.max_in_flight_bytes;
  config.storage.statement_timeout = std::chrono::milliseconds{flags.statement_timeout_ms};
  config.storage.connect_timeout = std::chrono::milliseconds{flags.connect_timeout_ms};
  config.sweep_interval =
      flags.sweep_interval == "0"
          ? std::chrono::milliseconds::zero()
          : parse_duration(flags.sweep_interval).value_or(config.sweep_interval);
  config.storage.upload_ttl = std::chrono::duration_cast<std::chrono::milliseconds>(
      parse_duration(flags.upload_ttl).value_or(config.storage.upload_ttl));
  config.storage.default_quota = flags.default_quota;
  config.storage.limits.max_payload_bytes = flags.max_payload_bytes;
  if (!flags.quota_file.empty()) {
    auto quotas = read_quota_file(flags.quota_file);
    if (!quotas) {
      return report_error(quotas.error());
    }
    config.storage.tenant_quotas = std::move(*quotas);
  }
  for (const auto& entry : flags.default_ttls) {
    const auto equals = entry.rfind('=');
    config.storage.default_ttl[entry.substr(0, equals)] = *parse_duration(entry.substr(equals + 1));
  }
  if (flags.access_log) {
    config.on_answered = make_access_log(flags.log_format);
  }
  std::shared_ptr<prometheus::Registry> registry;
  if (!flags.metrics_address.empty()) {
    registry = std::make_shared<prometheus::Registry>();
    config.metrics = make_store_metrics(registry);
  }
  if (auto err = (*host)->open(config)) {
    return report_error(err);
  }
  const store& local = *(*host)->local();
  auto port = publish_store(sys, local, flags.publish);
  if (!port) {
    return report_error(port.error());
  }
  // Declared before the server, which calls it, so that it outlives it.
  std::atomic<bool> stopping{false};
  client probe{sys, local.actor(), readiness_bound, local.closed()};
  std::unique_ptr<monitoring_server> monitoring;
  if (registry) {
    const auto where = parse_node_address(flags.metrics_address, "--metrics-address", true);
    // The peers connected to the node, read from the kernel at each scrape.
    auto& connections = prometheus::BuildGauge()
                            .Name("artifact_store_remote_connections")
                            .Help("TCP connections established to the node's port")
                            .Register(*registry)
                            .Add({});
    const uint16_t node_port = *port;
    auto started = monitoring_server::start(
        where.host, where.port, registry, [&] { return readiness(probe, stopping); },
        [&connections, node_port] {
          connections.Set(static_cast<double>(established_connections(node_port).value_or(0)));
        });
    if (!started) {
      return report_error(started.error());
    }
    monitoring = std::move(*started);
  }
  const std::string address = format_address(flags.publish.bind, *port);
  std::cout << "listening on " << address << std::endl;
  if (monitoring) {
    const auto where = parse_node_address(flags.metrics_address, "--metrics-address", true);
    const auto metrics_at = format_address(where.host, monitoring->port());
    std::cout << "metrics on " << metrics_at << std::endl;
    spdlog::info("metrics and health checks on http://" + metrics_at);
  }
  notify_ready("listening on " + address);
  if (!flags.tls.enabled() && flags.publish.insecure) {
    spdlog::warn("serving without TLS on " + address + " (--insecure): trusted networks only");
  }
  spdlog::info("started: " + driver_name(dsn) + " store, " + std::to_string(flags.pool_size) +
               " workers, listening on " + address +
               (flags.tls.enabled() ? " with mutual TLS" : " without TLS (trusted networks only)"));

  const int signal_number = signals.wait();
  stopping = true;
  spdlog::info(std::string("stopping on ") + signal_name(signal_number));
  notify_stopping(std::string("stopping on ") + signal_name(signal_number));
  unpublish_store(sys, local, *port);
  if (auto err = (*host)->close()) {
    report_error(err);
    // A worker is stuck in a backend call past every bound; the actor
    // system's destructor would wait for it. Leaving now releases every
    // connection with the process, which is what a bounded stop promises.
    std::cout.flush();
    std::_Exit(exit_error);
  }
  spdlog::info("stopped");
  return exit_ok;
}

}  // namespace artifacts::cli
