// The conformance suite against the in-memory driver.
#include "scenarios/conformance.hpp"

namespace {

[[maybe_unused]] const bool registered = artifacts::scenarios::register_conformance_suite(
    "memory", [](const artifacts::store_config& tweaks) {
      auto config = tweaks;
      config.storage.dsn = "memory:";
      return artifacts::scenarios::make_local_fixture(config);
    });

}  // namespace
