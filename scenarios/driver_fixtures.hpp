// The store factories of the drivers: one place that knows how to make a
// fresh, empty store of each driver, reached in-process or through a node.
// The conformance suite and the hostile-input table take these.
#pragma once

#include <filesystem>

#include "scenarios/store_fixture.hpp"

namespace artifacts::scenarios {

// How a test reaches the store it makes.
enum class store_access {
  // A client in the store's own actor system (make_local_fixture).
  in_process,
  // A client in a second actor system, through real CAF remoting over
  // 127.0.0.1 (make_remote_fixture, plain BASP).
  node,
};

// "in-process" or "node".
const char* to_string(store_access access) noexcept;

// Each factory makes a fresh, empty store per call, with the caller's tweaks
// and the driver's DSN, and keeps what the DSN points into (a folder, a
// schema) alive until the store and its actor systems are gone. In-process
// stores of drivers with countable connections report them (see
// store_fixture::backend_connections); stores behind a node report none.
// Every factory throws std::runtime_error when the store cannot be opened.

// memory:
store_factory memory_store_factory(store_access access);

// sqlite:FILE, a database file of its own in a fresh temporary folder.
store_factory sqlite_store_factory(store_access access);

// sqlite::memory:, a private in-memory database.
store_factory sqlite_memory_store_factory(store_access access);

// fs:DIR/root, where DIR is a fresh folder under `parent` (the system's
// temporary folder when empty). Its open files under DIR count as its
// connections.
store_factory fs_store_factory(store_access access, std::filesystem::path parent = {});

// A libpq keyword DSN selecting a fresh schema of its own on the server named
// by the PG* environment (see temporary_schema), with an application_name no
// other store uses, so that its connections can be counted.
store_factory postgres_store_factory(store_access access);

}  // namespace artifacts::scenarios
