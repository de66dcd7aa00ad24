// The conformance suite against the filesystem driver, on a fresh root per
// store.
#include "scenarios/conformance.hpp"
#include "scenarios/driver_fixtures.hpp"

namespace {

using artifacts::scenarios::store_access;

[[maybe_unused]] const bool registered = artifacts::scenarios::register_conformance_suite(
    "fs", artifacts::scenarios::fs_store_factory(store_access::in_process));

}  // namespace
