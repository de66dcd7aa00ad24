// The SQLite driver at the storage level: open_driver + operations, no actors.
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <google/protobuf/util/message_differencer.h>
#include <catch2/catch.hpp>

#include "scenarios/driver_test_support.hpp"
#include "scenarios/load_scale.hpp"
#include "storage/errc.hpp"
#include "storage/open_driver.hpp"
#include "storage/operations.hpp"

namespace {

using namespace artifacts;
using namespace artifacts::testing;
using artifacts::scenarios::load_volume;
namespace stdfs = std::filesystem;
using google::protobuf::util::MessageDifferencer;

std::vector<std::string> applied_versions(const stdfs::path& file) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  std::vector<std::string> versions;
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT version FROM schema_migrations ORDER BY version", -1,
                             &stmt, nullptr) == SQLITE_OK);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    versions.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return versions;
}

std::string journal_mode(const stdfs::path& file) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  std::string mode = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return mode;
}

// The DSNs every behavioural test runs against: a file and a private
// in-memory database.
struct target {
  std::string name;
  std::function<std::shared_ptr<driver>()> open;
};

std::vector<target> targets(const temp_folder& folder) {
  auto file_dsn = "sqlite:" + (folder.path() / "store.db").string();
  return {
      {"file", [file_dsn] { return open_driver(options_for(file_dsn)); }},
      {"memory", [] { return open_driver(options_for("sqlite::memory:")); }},
  };
}

}  // namespace

TEST_CASE("sqlite: round trip of bytes, ref and source", "[sqlite]") {
  temp_folder folder("sqlite-test");
  for (const auto& t : targets(folder)) {
    SECTION(t.name) {
      auto drv = t.open();
      CHECK(drv->name() == "sqlite");
      auto ops = open_ops(*drv);
      auto scope = make_scope("tenant", "user", "session", "task");
      auto request = put_request(scope, std::string("bytes\0with nul", 14), "docs", "a.txt");
      request.set_mime_type("text/x-test");
      (*request.mutable_source()->mutable_fields())["tool"].set_string_value("grep");
      (*request.mutable_source()->mutable_fields())["n"].set_number_value(3.25);
      auto ref = ops->put(request);
      CHECK(ref.id().rfind("docs_", 0) == 0);
      CHECK(ref.size_bytes() == 14);
      CHECK(ref.mime_type() == "text/x-test");
      CHECK(ref.filename() == "a.txt");
      CHECK(ref.has_source());

      auto blob = ops->get(key_of(scope, ref.id()));
      CHECK(blob.found());
      CHECK(blob.data() == request.data());
      auto stored = ops->get_ref(key_of(scope, ref.id()));
      REQUIRE(stored.found());
      CHECK(MessageDifferencer::Equals(stored.ref(), ref));
      CHECK(ops->exists(key_of(scope, ref.id())));

      auto empty = ops->put(put_request(scope, ""));
      CHECK(empty.size_bytes() == 0);
      auto empty_blob = ops->get(key_of(scope, empty.id()));
      CHECK(empty_blob.found());
      CHECK(empty_blob.data().empty());
      auto no_source = ops->get_ref(key_of(scope, empty.id()));
      REQUIRE(no_source.found());
      CHECK_FALSE(no_source.ref().has_source());

      auto missing = ops->get(key_of(scope, "docs_000000000000"));
      CHECK_FALSE(missing.found());
      CHECK_FALSE(ops->get_ref(key_of(scope, "docs_000000000000")).found());
      CHECK_FALSE(ops->exists(key_of(scope, "docs_000000000000")));
    }
  }
}

TEST_CASE("sqlite: re-put returns the first writer's ref and never overwrites", "[sqlite]") {
  temp_folder folder("sqlite-test");
  for (const auto& t : targets(folder)) {
    SECTION(t.name) {
      auto drv = t.open();
      auto ops = open_ops(*drv);
      auto scope = make_scope("t", "u", "s");
      auto first = ops->put(put_request(scope, "same bytes", "", "first.txt"));
      auto second = ops->put(put_request(scope, "same bytes", "", "second.txt"));
      CHECK(MessageDifferencer::Equals(first, second));
      CHECK(second.filename() == "first.txt");
      auto other_ns = ops->put(put_request(scope, "same bytes", "other"));
      CHECK(other_ns.id() != first.id());
      CHECK(other_ns.sha256() == first.sha256());
      CHECK(list_all(*ops, make_scope("t", "", ""), 100).size() == 2);
    }
  }
}

TEST_CASE("sqlite: a taken id with other content is a hash collision", "[sqlite]") {
  temp_folder folder("sqlite-test");
  auto options = options_for("sqlite:" + (folder.path() / "collide.db").string());
  options.make_id = [](std::string_view ns, std::string_view) {
    return std::string(ns) + "_fixed";
  };
  auto drv = open_driver(options);
  auto ops = open_ops(*drv);
  auto scope = make_scope("t", "u", "s");
  auto first = ops->put(put_request(scope, "one"));
  try {
    ops->put(put_request(scope, "two"));
    FAIL("the second put should collide");
  } catch (const store_error& e) {
    CHECK(e.code() == errc::hash_collision);
  }
  CHECK(ops->get(key_of(scope, first.id())).data() == "one");
}

TEST_CASE("sqlite: a batch of puts is one transaction and each put keeps its own outcome",
          "[sqlite]") {
  temp_folder folder("sqlite-test");
  check_put_batch_outcomes(options_for("sqlite:" + (folder.path() / "batch.db").string()));
}

TEST_CASE("sqlite: list order and pagination match the memory driver", "[sqlite]") {
  temp_folder folder("sqlite-test");
  for (const auto& t : targets(folder)) {
    SECTION(t.name) {
      auto drv = t.open();
      auto ops = open_ops(*drv);
      auto reference_driver = open_driver(options_for("memory:"));
      auto reference = open_ops(*reference_driver);

      const std::vector<std::string> tenants = {"a", "B", "b", "ab", "a b", "\xC3\xA9", "a/b", "Z"};
      const std::vector<std::string> users = {"u", "U", "u2"};
      const std::vector<std::string> tasks = {"", "_", "t"};
      const std::vector<std::string> namespaces = {"", "ns", "NS"};
      std::mt19937 rng(7);
      std::vector<std::tuple<std::string, std::string, std::string, std::string>> puts;
      for (const auto& tenant : tenants) {
        for (const auto& user : users) {
          for (const auto& task : tasks) {
            for (const auto& ns : namespaces) {
              puts.emplace_back(tenant, user, task, ns);
            }
          }
        }
      }
      std::shuffle(puts.begin(), puts.end(), rng);
      puts.resize(90);
      int n = 0;
      for (const auto& [tenant, user, task, ns] : puts) {
        auto request = put_request(make_scope(tenant, user, "s", task),
                                   "payload " + std::to_string(n++ % 7), ns);
        ops->put(request);
        reference->put(request);
      }

      const std::vector<v1::Scope> filters = {
          make_scope("", "", ""),      make_scope("a", "", ""),       make_scope("a", "u", ""),
          make_scope("", "", "", "_"), make_scope("", "U", "s", "t"), make_scope("nobody", "", ""),
      };
      for (const auto& filter : filters) {
        auto expected = list_all(*reference, filter, 1000);
        for (uint32_t page : {1u, 7u, 1000u}) {
          INFO("filter " << filter.ShortDebugString() << ", page " << page);
          CHECK(same_refs(list_all(*ops, filter, page), expected));
        }
      }
    }
  }
}

TEST_CASE("sqlite: delete is idempotent and scoped", "[sqlite]") {
  temp_folder folder("sqlite-test");
  for (const auto& t : targets(folder)) {
    SECTION(t.name) {
      auto drv = t.open();
      auto ops = open_ops(*drv);
      auto scope = make_scope("t", "u", "s");
      auto other = make_scope("t2", "u", "s");
      CHECK_FALSE(ops->remove(key_of(scope, "default_000000000000")));
      auto ref = ops->put(put_request(scope, "to delete"));
      CHECK_FALSE(ops->remove(key_of(other, ref.id())));
      CHECK(ops->exists(key_of(scope, ref.id())));
      CHECK(ops->remove(key_of(scope, ref.id())));
      CHECK_FALSE(ops->remove(key_of(scope, ref.id())));
      CHECK_FALSE(ops->get(key_of(scope, ref.id())).found());
      CHECK_FALSE(ops->exists(key_of(scope, ref.id())));
    }
  }
}

TEST_CASE("sqlite: a file store survives reopen", "[sqlite]") {
  temp_folder folder("sqlite-test");
  auto dsn = "sqlite:" + (folder.path() / "reopen.db").string();
  auto scope = make_scope("t", "u", "s", "k");
  auto request = put_request(scope, std::string(100000, 'x') + "tail", "ns", "big.bin");
  (*request.mutable_source()->mutable_fields())["origin"].set_string_value("test");
  v1::ArtifactRef ref;
  {
    auto drv = open_driver(options_for(dsn));
    ref = open_ops(*drv)->put(request);
  }
  auto drv = open_driver(options_for(dsn));
  auto ops = open_ops(*drv);
  auto blob = ops->get(key_of(scope, ref.id()));
  CHECK(blob.found());
  CHECK(blob.data() == request.data());
  auto stored = ops->get_ref(key_of(scope, ref.id()));
  REQUIRE(stored.found());
  CHECK(MessageDifferencer::Equals(stored.ref(), ref));
  CHECK(applied_versions(folder.path() / "reopen.db") == std::vector<std::string>{"1"});
}

TEST_CASE("sqlite: identical puts from 64 threads leave one row", "[sqlite][concurrency]") {
  temp_folder folder("sqlite-test");
  for (const auto& t : targets(folder)) {
    for (size_t backends : {size_t{8}, size_t{64}}) {
      DYNAMIC_SECTION(t.name << " through " << backends << " backends") {
        auto drv = t.open();
        check_identical_puts_leave_one_row(*drv, backends, 64);
      }
    }
  }
}

TEST_CASE("sqlite: 128 threads of mixed operations through 4 backends", "[sqlite][concurrency]") {
  temp_folder folder("sqlite-test");
  for (const auto& t : targets(folder)) {
    SECTION(t.name) {
      auto drv = t.open();
      check_mixed_operations(*drv, 4, 128, load_volume(12, 4));
    }
  }
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
    CHECK(ops->get(key_of(scope, before.id())).found());
    std::thread releaser([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      holder.release();
    });
    auto ref = ops->put(put_request(scope, "after"));
    releaser.join();
    CHECK(ops->get(key_of(scope, ref.id())).data() == "after");
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
    CHECK_THROWS_AS(ops->remove(key_of(scope, "default_000000000000")), store_error);
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
  CHECK(reader->get(key_of(scope, ref.id())).data() == "in memory");
  CHECK_FALSE(stranger->exists(key_of(scope, ref.id())));
  CHECK(list_all(*stranger, make_scope("", "", ""), 10).empty());

  // A backend opened later still sees the data: the driver keeps it alive.
  writer.reset();
  reader.reset();
  CHECK(open_ops(*first)->exists(key_of(scope, ref.id())));
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
  CHECK(applied_versions(file) == std::vector<std::string>{"1"});
  CHECK(journal_mode(file) == "wal");

  // Re-opening a migrated file applies nothing.
  drivers.clear();
  auto again = open_driver(options_for(dsn));
  CHECK(applied_versions(file) == std::vector<std::string>{"1"});
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
