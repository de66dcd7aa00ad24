// The actor system a subcommand runs in, and the store it opened there: the
// setup that serve, the client subcommands and bench share.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include <artifact_store/remoting.hpp>
#include <artifact_store/store.hpp>

namespace artifacts::cli {

class store_host {
 public:
  // Starts an actor system prepared for the store (wire messages, error
  // category, a scheduler tuned for request latency), with remoting when
  // `remoting` is given. Fails with invalid_argument for remoting options
  // that configure_remoting refuses (TLS files that are half given or
  // unreadable), with internal when the actor system cannot start.
  // `caf_flags` are CAF's own settings ("--scheduler.max-threads=2"), applied
  // over the latency tuning and under the remoting options; one that CAF
  // does not know or cannot read fails with invalid_argument.
  static caf::expected<std::unique_ptr<store_host>> start(
      const std::optional<remoting_options>& remoting,
      const std::vector<std::string>& caf_flags = {});

  // Closes the store if it is still open, then stops the actor system.
  ~store_host();
  store_host(const store_host&) = delete;
  store_host& operator=(const store_host&) = delete;

  // Opens a store in this actor system (see open_store for the errors).
  // Call at most once.
  caf::error open(const store_config& config);

  // Closes the opened store; the error of store::close when its workers did
  // not stop in time. Idempotent; no error when no store was opened.
  caf::error close();

  caf::actor_system& system() { return *system_; }

  // The opened store, or null.
  const store* local() const { return local_ ? &*local_ : nullptr; }

 private:
  store_host() = default;

  // Built in declaration order: the config outlives the actor system, which
  // outlives the store.
  std::unique_ptr<caf::actor_system_config> config_;
  std::unique_ptr<caf::actor_system> system_;
  std::optional<store> local_;
};

}  // namespace artifacts::cli
