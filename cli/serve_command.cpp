#include "cli/serve_command.hpp"

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <iostream>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include "actors/configure.hpp"
#include "actors/error.hpp"
#include "actors/store.hpp"
#include "cli/exit_status.hpp"
#include "cli/report.hpp"
#include "cli/shutdown_signals.hpp"
#include "cli/store_target.hpp"
#include "storage/dsn.hpp"

namespace artifacts::cli {

namespace {

// One line on stderr, prefixed with the UTC time. Callers pass no payloads,
// DSNs or passphrases.
void log(const std::string& line) {
  char stamp[32] = "";
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  if (gmtime_r(&now, &utc) != nullptr) {
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
  }
  std::cerr << stamp << " artifact-store serve: " << line << std::endl;
}

// The driver's name, for the log: the DSN itself may hold a password.
std::string driver_name(const std::string& dsn) {
  try {
    switch (parse_dsn(dsn).kind) {
      case driver_kind::postgres:
        return "postgres";
      case driver_kind::sqlite:
        return "sqlite";
      case driver_kind::memory:
        return "memory";
      case driver_kind::fs:
        return "fs";
    }
  } catch (const std::exception&) {
    // open_store has accepted the DSN already; this cannot happen.
  }
  return "unknown";
}

}  // namespace

int run_serve(const serve_flags& flags) {
  // Before the actor system starts its threads, so that they inherit the mask.
  shutdown_signals signals;

  const std::string dsn = resolve_dsn(flags.dsn);
  caf::actor_system_config cfg;
  configure_actor_system(cfg);
  tune_scheduler_for_request_latency(cfg);
  remoting_options remoting;
  remoting.tls = flags.tls;
  if (auto err = configure_remoting(cfg, remoting)) {
    return report_error(err);
  }
  std::unique_ptr<caf::actor_system> sys;
  try {
    sys = std::make_unique<caf::actor_system>(cfg);
  } catch (const std::exception& e) {
    return report_error(errc::internal,
                        std::string("serve: cannot start the actor system: ") + e.what());
  }

  store_config config;
  config.storage.dsn = dsn;
  config.pool_size = flags.pool_size;
  config.request_timeout = std::chrono::milliseconds{flags.timeout_ms};
  config.close_timeout = config.request_timeout;
  auto local = open_store(*sys, config);
  if (!local) {
    return report_error(local.error());
  }
  auto port = publish_store(*sys, *local, flags.publish);
  if (!port) {
    (void)local->close(*sys);
    return report_error(port.error());
  }
  const std::string address = format_address(flags.publish.bind, *port);
  std::cout << "listening on " << address << std::endl;
  log("started: " + driver_name(dsn) + " store, " + std::to_string(flags.pool_size) +
      " workers, listening on " + address +
      (flags.tls.enabled() ? " with mutual TLS" : " without TLS (trusted networks only)"));

  const int signal_number = signals.wait();
  log(std::string("stopping on ") + signal_name(signal_number));
  unpublish_store(*sys, *local, *port);
  if (auto err = local->close(*sys)) {
    report_error(err);
    // A worker is stuck in a backend call past every bound; the actor
    // system's destructor would wait for it. Leaving now releases every
    // connection with the process, which is what a bounded stop promises.
    std::cout.flush();
    std::_Exit(exit_error);
  }
  log("stopped");
  return exit_ok;
}

}  // namespace artifacts::cli
