// The SQLite driver at the storage level: open_driver + operations, no
// actors. The cases every driver passes are registered from driver_cases;
// here are SQLite's own: locks, in-memory databases, migrations and files.
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <artifact_store/errc.hpp>

#include "scenarios/driver_cases.hpp"
#include "scenarios/driver_test_support.hpp"
#include "storage/list_statements.hpp"
#include "storage/open_driver.hpp"
#include "storage/operations.hpp"

namespace {

using namespace artifacts;
using namespace artifacts::testing;
using namespace artifacts::scenarios;
namespace stdfs = std::filesystem;

// The first column of every row `sql` returns from the database file
// `file`, read through a connection of its own, as text.
std::vector<std::string> first_column(const stdfs::path& file, const char* sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  const int prepared = sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
  std::vector<std::string> values;
  while (prepared == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
    values.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  INFO(sql);
  REQUIRE(prepared == SQLITE_OK);
  return values;
}

std::vector<std::string> applied_versions(const stdfs::path& file) {
  return first_column(file, "SELECT version FROM schema_migrations ORDER BY version");
}

std::string journal_mode(const stdfs::path& file) {
  auto mode = first_column(file, "PRAGMA journal_mode");
  REQUIRE(mode.size() == 1);
  return mode.front();
}

// The database file of a store made by the factory below, in its folder.
stdfs::path store_file(const stdfs::path& folder) {
  return folder / "store.db";
}

// The behavioural cases, on a database file of its own and on a private
// in-memory database.
[[maybe_unused]] const bool file_cases_registered = register_driver_cases(
    "sqlite",
    folder_store_factory(
        "sqlite", "sqlite-test",
        [](const stdfs::path& folder) { return "sqlite:" + store_file(folder).string(); },
        [](const stdfs::path& folder) {
          return std::stoul(
              first_column(store_file(folder), "SELECT count(*) FROM artifacts_blobs").at(0));
        }));

[[maybe_unused]] const bool memory_cases_registered =
    register_driver_cases("sqlite-memory", {"sqlite",
                                            [] {
                                              return fresh_store{"sqlite::memory:", {}, {}};
                                            },
                                            store_lifetime::ends_with_driver});

}  // namespace

TEST_CASE("sqlite: every list shape searches the primary key from its cursor, unsorted",
          "[sqlite]") {
  temp_folder folder{"sqlite-plans"};
  artifacts::open_driver(options_for("sqlite:" + store_file(folder.path()).string()));
  for (size_t prefix = 0; prefix < list_shapes; ++prefix) {
    const auto sql = "EXPLAIN QUERY PLAN " + list_statement_text(prefix, sql_flavour::sqlite);
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(store_file(folder.path()).c_str(), &db, SQLITE_OPEN_READONLY,
                            nullptr) == SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    const int prepared = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
    std::string plan;
    while (prepared == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW) {
      plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
      plan += "\n";
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    INFO("prefix " << prefix << ": " << sql << "\n" << plan);
    REQUIRE(prepared == SQLITE_OK);
    // A search of the key's index bounded by the cursor, in the index's
    // order: no scan of the table, no sort.
    CHECK(plan.rfind("SEARCH artifacts_blobs USING ", 0) == 0);
    CHECK(plan.find("SCAN") == std::string::npos);
    CHECK(plan.find("B-TREE") == std::string::npos);
  }
}

TEST_CASE("sqlite: reopening a file that holds artifacts applies no migration again",
          "[sqlite][migrations]") {
  temp_folder folder("sqlite-test");
  const auto file = folder.path() / "reopen.db";
  const auto scope = make_scope("t", "u", "s");
  v1::ArtifactRef ref;
  {
    auto drv = open_driver(options_for("sqlite:" + file.string()));
    ref = open_ops(*drv)->put(put_request(scope, "stored before the reopen"));
  }
  auto drv = open_driver(options_for("sqlite:" + file.string()));
  CHECK(applied_versions(file) == std::vector<std::string>{"1", "2", "3", "4"});
  CHECK(open_ops(*drv)->get(make_key(ref)).data() == "stored before the reopen");
}

// A connection of another program that holds the database's write lock.
class foreign_writer {
 public:
  explicit foreign_writer(const stdfs::path& file) {
    REQUIRE(sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  ~foreign_writer() { sqlite3_close(db_); }

  void release() { sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr); }

 private:
  sqlite3* db_ = nullptr;
};

TEST_CASE("sqlite: writers wait for a foreign lock, readers do not", "[sqlite][concurrency]") {
  temp_folder folder("sqlite-test");
  auto file = folder.path() / "contended.db";
  auto options = options_for("sqlite:" + file.string());
  auto scope = make_scope("t", "u", "s");

  SECTION("a lock released in time: the put waits and succeeds") {
    auto drv = open_driver(options);
    auto ops = open_ops(*drv);
    auto before = ops->put(put_request(scope, "before"));
    foreign_writer holder(file);
    CHECK(ops->get(make_key(scope, before.id())).found());
    std::thread releaser([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      holder.release();
    });
    auto ref = ops->put(put_request(scope, "after"));
    releaser.join();
    CHECK(ops->get(make_key(scope, ref.id())).data() == "after");
  }

  SECTION("a lock held past the statement timeout: unavailable") {
    options.statement_timeout = std::chrono::milliseconds(200);
    auto drv = open_driver(options);
    auto ops = open_ops(*drv);
    foreign_writer holder(file);
    try {
      ops->put(put_request(scope, "blocked"));
      FAIL("the put should time out");
    } catch (const store_error& e) {
      CHECK(e.code() == errc::unavailable);
      CHECK_THAT(e.what(), Catch::StartsWith("put: "));
    }
    CHECK_THROWS_AS(ops->remove(make_key(scope, "default_000000000000")), store_error);
    holder.release();
    CHECK_NOTHROW(ops->put(put_request(scope, "unblocked")));
  }
}

TEST_CASE("sqlite: an in-memory database is shared by its backends, private to its driver",
          "[sqlite]") {
  auto first = open_driver(options_for("sqlite::memory:"));
  auto second = open_driver(options_for("sqlite::memory:"));
  auto writer = open_ops(*first);
  auto reader = open_ops(*first);
  auto stranger = open_ops(*second);
  auto scope = make_scope("t", "u", "s");
  auto ref = writer->put(put_request(scope, "in memory"));
  CHECK(reader->get(make_key(scope, ref.id())).data() == "in memory");
  CHECK_FALSE(stranger->exists(make_key(scope, ref.id())));
  CHECK(list_all(*stranger, make_scope("", "", ""), 10).empty());

  // A backend opened later still sees the data: the driver keeps it alive.
  writer.reset();
  reader.reset();
  CHECK(open_ops(*first)->exists(make_key(scope, ref.id())));
}

TEST_CASE("sqlite: stores opening the same new file at once all succeed", "[sqlite][migrations]") {
  temp_folder folder("sqlite-test");
  auto file = folder.path() / "fresh" / "shared.db";
  auto dsn = "sqlite:" + file.string();
  std::atomic<int> errors{0};
  std::vector<std::shared_ptr<driver>> drivers(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < drivers.size(); ++i) {
    threads.emplace_back([&, i] {
      try {
        drivers[i] = open_driver(options_for(dsn));
      } catch (const store_error& e) {
        UNSCOPED_INFO(e.what());
        ++errors;
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  CHECK(errors == 0);
  CHECK(applied_versions(file) == std::vector<std::string>{"1", "2", "3", "4"});
  CHECK(journal_mode(file) == "wal");

  // Re-opening a migrated file applies nothing.
  drivers.clear();
  auto again = open_driver(options_for(dsn));
  CHECK(applied_versions(file) == std::vector<std::string>{"1", "2", "3", "4"});
}

TEST_CASE("sqlite: opening creates the file and its folders", "[sqlite]") {
  temp_folder folder("sqlite-test");
  auto file = folder.path() / "a" / "b" / "c" / "artifacts.db";
  auto drv = open_driver(options_for("sqlite:" + file.string()));
  CHECK(stdfs::is_regular_file(file));

  SECTION("a relative path is relative to the working directory") {
    auto previous = stdfs::current_path();
    stdfs::current_path(folder.path());
    try {
      auto relative = open_driver(options_for("sqlite:artifacts.db"));
      auto nested = open_driver(options_for("sqlite:sub/dir/artifacts.db"));
    } catch (...) {
      stdfs::current_path(previous);
      throw;
    }
    stdfs::current_path(previous);
    CHECK(stdfs::is_regular_file(folder.path() / "artifacts.db"));
    CHECK(stdfs::is_regular_file(folder.path() / "sub" / "dir" / "artifacts.db"));
  }
}

TEST_CASE("sqlite: a file that is not a database is an internal error at open", "[sqlite]") {
  temp_folder folder("sqlite-test");
  auto file = folder.path() / "garbage.db";
  std::ofstream(file) << std::string(8192, 'g');
  try {
    open_driver(options_for("sqlite:" + file.string()));
    FAIL("opening garbage should fail");
  } catch (const store_error& e) {
    CHECK(e.code() == errc::internal);
    CHECK_THAT(e.what(),
               Catch::Contains("open") && Catch::Contains("not a usable SQLite database"));
  }
}

TEST_CASE("sqlite: a folder in place of the file is unavailable at open", "[sqlite]") {
  temp_folder folder("sqlite-test");
  stdfs::create_directories(folder.path() / "taken.db");
  try {
    open_driver(options_for("sqlite:" + (folder.path() / "taken.db").string()));
    FAIL("opening a folder should fail");
  } catch (const store_error& e) {
    CHECK(e.code() == errc::unavailable);
    CHECK_THAT(e.what(), Catch::Contains("open"));
  }
}

TEST_CASE("sqlite: a row inserted with the original twelve columns gets a created_at",
          "[sqlite][migrations]") {
  temp_folder folder("sqlite-test");
  const auto file = folder.path() / "foreign.db";
  auto drv = open_driver(options_for("sqlite:" + file.string()));
  const auto before = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
    const char* insert =
        "INSERT INTO artifacts_blobs (tenant, \"user\", session, task, namespace, id, mime_type,"
        " size_bytes, filename, sha256, source_json, bytes) VALUES ('go', 'u', 's', '', 'ns',"
        " 'ns_0123456789ab', 'text/plain', 2, 'go.txt', 'ab', CAST('null' AS BLOB), "
        "CAST('hi' AS BLOB))";
    CHECK(sqlite3_exec(db, insert, nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  const auto key = make_key(make_scope("go", "u", "s"), "ns_0123456789ab");
  auto ops = open_ops(*drv);
  auto read = ops->get_ref(key);
  REQUIRE(read.found());
  CHECK(read.ref().filename() == "go.txt");
  REQUIRE(read.ref().has_created_at());
  const auto created = read.ref().created_at().seconds() * 1'000'000LL;
  CHECK(created >= before - 2'000'000);
  CHECK(created <= before + 60'000'000);
  CHECK_FALSE(read.ref().has_expires_at());
  CHECK(ops->get(key).data() == "hi");
}

TEST_CASE("sqlite: a schema newer than this binary is refused at open, and its status read",
          "[sqlite][migrations]") {
  temp_folder folder("sqlite-test");
  const auto file = folder.path() / "store.db";
  const auto options = options_for("sqlite:" + file.string());

  // Nothing there yet: every version pending, and no file made.
  auto fresh = read_schema_status(options);
  CHECK(fresh.driver == "sqlite");
  CHECK(fresh.versions.applied.empty());
  CHECK(fresh.versions.pending == std::vector<int>{1, 2, 3, 4});
  CHECK_FALSE(stdfs::exists(file));

  open_driver(options);
  auto current = read_schema_status(options);
  CHECK(current.versions.applied == std::vector<int>{1, 2, 3, 4});
  CHECK(current.versions.pending.empty());
  CHECK(current.versions.newer.empty());

  // A newer binary applied version 99.
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "INSERT INTO schema_migrations (version) VALUES (99)", nullptr, nullptr,
                       nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  try {
    open_driver(options);
    FAIL("a newer schema must not be served");
  } catch (const store_error& e) {
    CHECK(e.code() == errc::internal);
    CHECK_THAT(e.what(), Catch::Contains("schema is at version 99, newer than version 4"));
  }
  auto newer = read_schema_status(options);
  CHECK(newer.versions.applied == std::vector<int>{1, 2, 3, 4});
  CHECK(newer.versions.newer == std::vector<int>{99});
  CHECK(applied_versions(file) == std::vector<std::string>{"1", "2", "3", "4", "99"});
}
