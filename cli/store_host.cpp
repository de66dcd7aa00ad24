#include "cli/store_host.hpp"

#include <exception>
#include <sstream>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/error.hpp>

#include <artifact_store/configure.hpp>
#include <artifact_store/error.hpp>

namespace artifacts::cli {

caf::expected<std::unique_ptr<store_host>> store_host::start(
    const std::optional<remoting_options>& remoting, const std::vector<std::string>& caf_flags) {
  std::unique_ptr<store_host> host{new store_host};
  host->config_ = std::make_unique<caf::actor_system_config>();
  configure_actor_system(*host->config_);
  tune_scheduler_for_request_latency(*host->config_);
  if (!caf_flags.empty()) {
    std::istringstream no_ini_file;  // never caf-application.ini from the working directory
    if (auto err = host->config_->parse(caf_flags, no_ini_file)) {
      return make_error(errc::invalid_argument, "CAF setting: " + caf::to_string(err));
    }
  }
  if (remoting) {
    if (auto err = configure_remoting(*host->config_, *remoting)) {
      return err;
    }
  }
  try {
    host->system_ = std::make_unique<caf::actor_system>(*host->config_);
  } catch (const std::exception& e) {
    return make_error(errc::internal, std::string("cannot start the actor system: ") + e.what());
  }
  return host;
}

store_host::~store_host() {
  // A close that failed left a worker inside a backend call, which the
  // backend's own timeouts bound; the actor system's destructor waits for
  // it. The subcommand has reported its result already.
  (void)close();
  local_.reset();
  system_.reset();
}

caf::error store_host::open(const store_config& config) {
  auto opened = open_store(*system_, config);
  if (!opened) {
    return std::move(opened.error());
  }
  local_ = std::move(*opened);
  return caf::none;
}

caf::error store_host::close() {
  if (!local_) {
    return caf::none;
  }
  return local_->close(*system_);
}

}  // namespace artifacts::cli
