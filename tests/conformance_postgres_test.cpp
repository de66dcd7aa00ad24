// The conformance suite against the PostgreSQL driver. Needs the server named
// by the PG* environment (scripts/test runs it under pg_virtualenv).
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <memory>
#include <string>

#include "scenarios/conformance.hpp"
#include "scenarios/postgres_schema.hpp"

namespace {

[[maybe_unused]] const bool sigpipe_ignored = [] {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();

// A store in a fresh schema of its own. Its connections carry an
// application_name no other store uses, so they can be counted.
std::unique_ptr<artifacts::scenarios::store_fixture> make_postgres_fixture(
    const artifacts::store_config& tweaks) {
  static std::atomic<unsigned> fixtures{0};
  auto schema = std::make_shared<artifacts::testing::temporary_schema>();
  const auto application_name =
      "conformance-" + std::to_string(::getpid()) + "-" + std::to_string(fixtures++);
  auto config = tweaks;
  config.storage.dsn = schema->dsn(application_name);
  auto count_connections = [schema, application_name] {
    return schema->connections_named(application_name);
  };
  // The schema is handed over as a resource: it outlives the store.
  return artifacts::scenarios::make_local_fixture(config, count_connections, schema);
}

[[maybe_unused]] const bool registered =
    artifacts::scenarios::register_conformance_suite("postgres", make_postgres_fixture);

}  // namespace
