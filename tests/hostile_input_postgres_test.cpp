// The hostile-input table (scenarios/hostile_inputs.hpp) against the
// PostgreSQL driver, in-process and through a node. Needs the server named
// by the PG* environment (scripts/test runs it under pg_virtualenv).
#include <csignal>
#include <string>

#include "scenarios/driver_fixtures.hpp"
#include "scenarios/hostile_inputs.hpp"

namespace {

using artifacts::scenarios::hostile_target;
using artifacts::scenarios::store_access;

[[maybe_unused]] const auto sigpipe_ignored = std::signal(SIGPIPE, SIG_IGN);

// The canary, listed and read back after every case, is what shows that the
// table and its rows survived the SQL the cases carry.
[[maybe_unused]] const bool registered = [] {
  for (auto access : {store_access::in_process, store_access::node}) {
    artifacts::scenarios::register_hostile_suite(
        std::string("postgres ") + artifacts::scenarios::to_string(access), [access] {
          hostile_target target;
          target.make = artifacts::scenarios::postgres_store_factory(access);
          return target;
        });
  }
  return true;
}();

}  // namespace
