// The conformance suite against the in-memory driver.
#include "scenarios/conformance.hpp"
#include "scenarios/driver_fixtures.hpp"

namespace {

using artifacts::scenarios::store_access;

[[maybe_unused]] const bool registered = artifacts::scenarios::register_conformance_suite(
    "memory", artifacts::scenarios::memory_store_factory(store_access::in_process));

}  // namespace
