// The conformance suite against the SQLite driver: a database file of its
// own per store, and a private in-memory database.
#include "scenarios/conformance.hpp"
#include "scenarios/driver_fixtures.hpp"

namespace {

using artifacts::scenarios::store_access;

[[maybe_unused]] const bool file_registered = artifacts::scenarios::register_conformance_suite(
    "sqlite", artifacts::scenarios::sqlite_store_factory(store_access::in_process));

[[maybe_unused]] const bool memory_registered = artifacts::scenarios::register_conformance_suite(
    "sqlite-memory", artifacts::scenarios::sqlite_memory_store_factory(store_access::in_process));

}  // namespace
