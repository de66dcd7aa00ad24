// A process that opens and closes stores for as long as it lives must not
// accumulate anything: after 100 stores of each embedded driver, opened,
// used and closed in one actor system, and after whole actor systems (with
// and without remoting) started and shut down, the process has as many
// threads and open descriptors as before, and no file open in the stores'
// folders. The thread count and the open files are first seen to go up
// while a store is open: a count blind to the store would find nothing left
// whatever the store left. Under the AddressSanitizer build LeakSanitizer
// checks the memory as well, when the process exits.
// PostgreSQL: lifecycle_leak_postgres_test.cpp.
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include <artifact_store/store_config.hpp>

#include "scenarios/driver_test_support.hpp"
#include "scenarios/local_fixture.hpp"
#include "scenarios/process_counts.hpp"
#include "scenarios/remote_fixture.hpp"
#include "scenarios/scenario_support.hpp"
#include "scenarios/store_cycles.hpp"

namespace {

using namespace artifacts;
using namespace artifacts::scenarios;

// One whole life of the store in a process: its own actor system(s), a
// store on a SQLite file in `folder`, a put and a get, then everything shut
// down. While the store is open, the counts that must come back afterwards
// see it: the process has more threads than `before`, and files open in
// `folder`.
void one_life(const store_factory& make, const footprint& before,
              const std::filesystem::path& folder) {
  auto fixture = make(store_config{});
  const auto scope = make_scope("tenant", "user", "session");
  auto ref = REQUIRE_VALUE(fixture->client().put(put_request(scope, "one life")));
  auto blob = REQUIRE_VALUE(fixture->client().get(make_key(scope, ref.id())));
  CHECK(blob.data() == "one life");
  const auto open = current_footprint();
  INFO("before: " << to_string(before) << "; while open: " << to_string(open));
  CHECK(open.threads > before.threads);
  CHECK(open.descriptors > before.descriptors);
  CHECK(testing::open_files_under(folder) > 0);
  auto left = fixture->close_and_release();
  CHECK(left.actors == 0);
  CHECK(left.threads == 0);
}

// The files a store keeps open in `folder`: for sqlite its database and
// journal, once per worker.
held_resource files_under(const std::filesystem::path& folder, bool one_per_worker) {
  return {"files open under " + folder.string(),
          [folder] { return testing::open_files_under(folder); }, one_per_worker};
}

}  // namespace

TEST_CASE("memory: 100 stores opened, used and closed leave nothing behind", "[lifecycle]") {
  check_cycles_leave_nothing("memory:");
}

TEST_CASE("sqlite file: 100 stores opened, used and closed leave nothing behind", "[lifecycle]") {
  testing::temp_folder folder("lifecycle-sqlite");
  check_cycles_leave_nothing("sqlite:" + (folder.path() / "artifacts.db").string(),
                             files_under(folder.path(), true));
  CHECK(testing::open_files_under(folder.path()) == 0);
}

TEST_CASE("sqlite in memory: 100 stores opened, used and closed leave nothing behind",
          "[lifecycle]") {
  check_cycles_leave_nothing("sqlite::memory:");
}

TEST_CASE("fs: 100 stores opened, used and closed leave nothing behind", "[lifecycle]") {
  testing::temp_folder folder("lifecycle-fs");
  check_cycles_leave_nothing("fs:" + (folder.path() / "root").string(),
                             files_under(folder.path(), false));
  CHECK(testing::open_files_under(folder.path()) == 0);
}

TEST_CASE("actor systems started and shut down with a store leave nothing behind", "[lifecycle]") {
  // Before any actor system of this case exists.
  const auto before = current_footprint();
  testing::temp_folder folder("lifecycle-systems");
  const auto dsn = "sqlite:" + (folder.path() / "artifacts.db").string();

  SECTION("local: one actor system with a store, five times") {
    for (int life = 0; life < 5; ++life) {
      one_life(
          [&](const store_config& tweaks) {
            auto config = tweaks;
            config.storage.dsn = dsn;
            return make_local_fixture(config);
          },
          before, folder.path());
    }
  }
  SECTION("remote: a node's and a client's actor system over remoting, five times") {
    for (int life = 0; life < 5; ++life) {
      one_life(
          [&](const store_config& tweaks) {
            auto config = tweaks;
            config.storage.dsn = dsn;
            return make_remote_fixture(config);
          },
          before, folder.path());
    }
  }
  const auto after = footprint_back_to(before);
  INFO("before: " << to_string(before) << "; after: " << to_string(after));
  CHECK(excess(after.threads, before.threads) == 0);
  CHECK(excess(after.descriptors, before.descriptors) == 0);
  CHECK(testing::open_files_under(folder.path()) == 0);
}
