// The behavioural cases every storage driver passes, written once.
// They drive a driver directly (open_driver + operations, no actors) and are
// registered per driver the way the conformance suite is. What only one
// driver does (layout, locks, migrations, ...) stays in that driver's test
// file.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace artifacts::testing {

// A fresh, empty store for one case.
struct fresh_store {
  // Names the store; each case adds its own options (make_id) to it.
  std::string dsn;
  // What the DSN points into (a folder, a schema), or null: kept until the
  // case ends, after every driver opened on the store is gone.
  std::shared_ptr<void> resources;
  // The number of artifacts the store holds, counted behind the driver's
  // back (a SQL count, the files on disk), or empty when the test has no
  // such means. Cases that leave a known number of artifacts check it.
  std::function<size_t()> count_stored;
};

// How long the data of a store lives.
enum class store_lifetime {
  // Beyond its driver: a driver opened again on the DSN finds it.
  outlives_driver,
  // As long as its driver: the DSN opens an empty store every time
  // (sqlite::memory:), so the reopen case is not registered.
  ends_with_driver,
};

// How the cases get stores of one driver.
struct driver_factory {
  // What driver::name() answers for these stores: "sqlite", "fs", ...
  std::string driver_name;
  // Makes a fresh, empty store per call. Throws when it cannot (a failing
  // case, never a skipped one).
  std::function<fresh_store()> make_store;
  store_lifetime lifetime = store_lifetime::outlives_driver;
};

// A factory of stores that outlive their driver, each in a fresh folder
// named after `label` (kept until the case ends): `dsn_in(folder)` names the
// store inside it, and `count_in(folder)`, when given, counts the artifacts
// stored there behind the driver's back.
driver_factory folder_store_factory(
    std::string driver_name, std::string label,
    std::function<std::string(const std::filesystem::path& folder)> dsn_in,
    std::function<size_t(const std::filesystem::path& folder)> count_in = {});

// Registers every case as a Catch2 test case "<name>: <case>", tagged
// [driver][<name>] (and [concurrency] where many threads run at once). Each
// case makes its own fresh stores through `factory`; the reopen case is
// registered only for stores that outlive their driver. Call it from a
// static initializer of a test file, once per name (names must be unique
// within one executable). Returns true so that it can initialise a static.
bool register_driver_cases(const std::string& name, driver_factory factory);

}  // namespace artifacts::testing
