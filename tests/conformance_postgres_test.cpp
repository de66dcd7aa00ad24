// The conformance suite against the PostgreSQL driver. Needs the server named
// by the PG* environment (scripts/test runs it under pg_virtualenv).
#include <csignal>

#include "scenarios/conformance.hpp"
#include "scenarios/driver_fixtures.hpp"

namespace {

using artifacts::scenarios::store_access;

[[maybe_unused]] const bool sigpipe_ignored = [] {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();

// Each store gets a fresh schema of its own; its connections carry an
// application_name no other store uses, so they can be counted.
[[maybe_unused]] const bool registered = artifacts::scenarios::register_conformance_suite(
    "postgres", artifacts::scenarios::postgres_store_factory(store_access::in_process));

}  // namespace
