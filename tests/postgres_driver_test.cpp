// The PostgreSQL driver against a real server (run under pg_virtualenv):
// schema, migrations, connection settings, error mapping and the store's
// semantics through operations, each test on a schema of its own.
#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <google/protobuf/util/message_differencer.h>
#include <libpq-fe.h>
#include <catch2/catch.hpp>
#include <pqxx/connection>
#include <pqxx/transaction>

#include "messages/ref_json.hpp"
#include "scenarios/driver_test_support.hpp"
#include "scenarios/postgres_schema.hpp"
#include "storage/artifact_id.hpp"
#include "storage/errc.hpp"
#include "storage/open_driver.hpp"
#include "storage/operations.hpp"
#include "storage/postgres/conninfo.hpp"

namespace {

using artifacts::errc;
using artifacts::operations;
using artifacts::storage_options;
using artifacts::store_error;
using artifacts::testing::temporary_schema;
namespace v1 = artifacts::v1;

using rows = std::vector<std::vector<std::string>>;

storage_options options_for(const temporary_schema& schema,
                            const std::string& application_name = "artifact-store") {
  storage_options options;
  options.dsn = schema.dsn(application_name);
  return options;
}

v1::Scope make_scope(std::string tenant, std::string user, std::string session,
                     std::string task = "") {
  v1::Scope scope;
  scope.set_tenant(std::move(tenant));
  scope.set_user(std::move(user));
  scope.set_session(std::move(session));
  scope.set_task(std::move(task));
  return scope;
}

v1::PutRequest put_request(const v1::Scope& scope, std::string data) {
  v1::PutRequest request;
  *request.mutable_scope() = scope;
  request.set_data(std::move(data));
  return request;
}

v1::Key key_of(const v1::ArtifactRef& ref) {
  v1::Key key;
  *key.mutable_scope() = ref.scope();
  key.set_id(ref.id());
  return key;
}

bool same(const google::protobuf::Message& a, const google::protobuf::Message& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

// The code of the store_error `fn` throws; fails the test when it throws
// nothing or something else. `message` receives the error's text.
template <class Fn>
errc error_code_of(Fn&& fn, std::string* message = nullptr) {
  try {
    fn();
  } catch (const store_error& e) {
    if (message != nullptr) {
      *message = e.what();
    }
    return e.code();
  }
  FAIL("expected a store_error");
  return errc::internal;
}

// The settings of a keyword conninfo, as libpq reads them back.
std::vector<std::pair<std::string, std::string>> parsed(const std::string& keywords) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(keywords.c_str(), &error);
  REQUIRE(options != nullptr);
  std::vector<std::pair<std::string, std::string>> out;
  for (auto* option = options; option->keyword != nullptr; ++option) {
    if (option->val != nullptr) {
      out.emplace_back(option->keyword, option->val);
    }
  }
  PQconninfoFree(options);
  return out;
}

std::string setting(const std::string& keywords, const std::string& keyword) {
  for (const auto& [key, value] : parsed(keywords)) {
    if (key == keyword) {
      return value;
    }
  }
  return "<unset>";
}

}  // namespace

TEST_CASE("the conninfo adds the store's settings only where the DSN left them out") {
  storage_options options;
  options.connect_timeout = std::chrono::milliseconds{1500};
  auto info = artifacts::postgres::make_conninfo("host=db.example port=5433 user=app", options);
  CHECK(setting(info.keywords, "host") == "db.example");
  CHECK(setting(info.keywords, "port") == "5433");
  CHECK(setting(info.keywords, "user") == "app");
  CHECK(setting(info.keywords, "application_name") == "artifact-store");
  CHECK(setting(info.keywords, "connect_timeout") == "2");
  CHECK(setting(info.keywords, "keepalives") == "1");
  CHECK(setting(info.keywords, "keepalives_idle") == "10");
  CHECK(setting(info.keywords, "keepalives_interval") == "5");
  CHECK(setting(info.keywords, "keepalives_count") == "3");
  CHECK(setting(info.keywords, "password") == "<unset>");
  CHECK(info.password.empty());

  auto own = artifacts::postgres::make_conninfo(
      "application_name=mine connect_timeout=7 keepalives=0", options);
  CHECK(setting(own.keywords, "application_name") == "mine");
  CHECK(setting(own.keywords, "connect_timeout") == "7");
  CHECK(setting(own.keywords, "keepalives") == "0");

  options.connect_timeout = std::chrono::milliseconds{10};
  auto short_timeout = artifacts::postgres::make_conninfo("host=x", options);
  CHECK(setting(short_timeout.keywords, "connect_timeout") == "1");
}

TEST_CASE("the conninfo keeps URI settings and quotes awkward values") {
  storage_options options;
  auto info = artifacts::postgres::make_conninfo(
      "postgresql://app:p%27a%20ss%5Cw@db.example:5433/store?sslmode=disable", options);
  CHECK(setting(info.keywords, "user") == "app");
  CHECK(setting(info.keywords, "password") == "p'a ss\\w");
  CHECK(setting(info.keywords, "host") == "db.example");
  CHECK(setting(info.keywords, "port") == "5433");
  CHECK(setting(info.keywords, "dbname") == "store");
  CHECK(setting(info.keywords, "sslmode") == "disable");
  CHECK(info.password == "p'a ss\\w");

  auto spaced = artifacts::postgres::make_conninfo(
      "options='-c search_path=x' application_name='it\\'s \\\\ mine'", options);
  CHECK(setting(spaced.keywords, "options") == "-c search_path=x");
  CHECK(setting(spaced.keywords, "application_name") == "it's \\ mine");
}

TEST_CASE("a malformed DSN is invalid_argument and its message holds no part of it") {
  const std::string password = "Sup3r-Secr3t";
  for (const std::string& dsn :
       {"host=localhost password=" + password + " port", "password=" + password + " nonsense=1",
        "postgresql://user:" + password + "@localhost:5432/db?nonsense=1",
        "postgresql://user:" + password + "@[::1/db"}) {
    CAPTURE(dsn.size());
    storage_options options;
    options.dsn = dsn;
    std::string message;
    CHECK(error_code_of([&] { artifacts::open_driver(options); }, &message) ==
          errc::invalid_argument);
    CHECK(message.find(password) == std::string::npos);
    CHECK(message.rfind("open: ", 0) == 0);
  }
}

TEST_CASE("an unreachable server is unavailable and the message holds no password") {
  const std::string password = "Sup3r-Secr3t";
  for (const std::string& dsn :
       {"host=127.0.0.1 port=1 user=nobody dbname=none password=" + password,
        "postgresql://nobody:" + password + "@127.0.0.1:1/none"}) {
    storage_options options;
    options.dsn = dsn;
    options.connect_timeout = std::chrono::milliseconds{2000};
    std::string message;
    CHECK(error_code_of([&] { artifacts::open_driver(options); }, &message) == errc::unavailable);
    CHECK(message.rfind("open: cannot connect to PostgreSQL: ", 0) == 0);
    CHECK(message.find(password) == std::string::npos);
  }
}

TEST_CASE("a refused login is unavailable and the message holds no password") {
  temporary_schema schema;
  const std::string password = "Wr0ng-Passw0rd";
  storage_options options;
  options.dsn = schema.dsn() + " password=" + password;
  std::string message;
  CHECK(error_code_of([&] { artifacts::open_driver(options); }, &message) == errc::unavailable);
  CHECK(message.rfind("open: cannot connect to PostgreSQL: ", 0) == 0);
  CHECK(message.find("password authentication failed") != std::string::npos);
  CHECK(message.find(password) == std::string::npos);
}

TEST_CASE("a clean start applies migration 1 and creates the designed table") {
  temporary_schema schema;
  auto driver = artifacts::open_driver(options_for(schema));
  CHECK(driver->name() == "postgres");

  CHECK(schema.query("SELECT version FROM schema_migrations") == rows{{"1"}});
  CHECK(schema.query("SELECT column_name, data_type, is_nullable, column_default "
                     "FROM information_schema.columns "
                     "WHERE table_schema = current_schema() AND table_name = 'schema_migrations' "
                     "ORDER BY ordinal_position") ==
        rows{{"version", "integer", "NO", "<null>"},
             {"applied_at", "timestamp with time zone", "NO", "now()"}});

  CHECK(schema.query("SELECT column_name, data_type, is_nullable "
                     "FROM information_schema.columns "
                     "WHERE table_schema = current_schema() AND table_name = 'artifacts_blobs' "
                     "ORDER BY ordinal_position") == rows{{"tenant", "text", "NO"},
                                                          {"user", "text", "NO"},
                                                          {"session", "text", "NO"},
                                                          {"task", "text", "NO"},
                                                          {"namespace", "text", "NO"},
                                                          {"id", "text", "NO"},
                                                          {"mime_type", "text", "NO"},
                                                          {"size_bytes", "bigint", "NO"},
                                                          {"filename", "text", "NO"},
                                                          {"sha256", "text", "NO"},
                                                          {"source_json", "bytea", "NO"},
                                                          {"bytes", "bytea", "NO"}});

  CHECK(schema.query("SELECT a.attname FROM pg_index i "
                     "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                     "WHERE i.indrelid = 'artifacts_blobs'::regclass AND i.indisprimary "
                     "ORDER BY array_position(i.indkey::int2[], a.attnum)") ==
        rows{{"tenant"}, {"user"}, {"session"}, {"task"}, {"namespace"}, {"id"}});
}

TEST_CASE("re-opening a migrated schema applies nothing again") {
  temporary_schema schema;
  auto options = options_for(schema);
  artifacts::open_driver(options);
  auto reopened = artifacts::open_driver(options);
  CHECK(schema.query("SELECT version FROM schema_migrations") == rows{{"1"}});

  operations ops{reopened->open_backend(), reopened->options()};
  CHECK(ops.put(put_request(make_scope("t", "u", "s"), "after reopen")).size_bytes() == 12);
}

TEST_CASE("16 drivers opening a fresh schema at once all succeed and migrate once") {
  temporary_schema schema;
  auto options = options_for(schema);
  constexpr int openers = 16;
  std::atomic<int> opened{0};
  std::vector<std::string> failures(openers);
  std::vector<std::thread> threads;
  for (int i = 0; i < openers; ++i) {
    threads.emplace_back([&, i] {
      try {
        auto driver = artifacts::open_driver(options);
        driver->open_backend();
        ++opened;
      } catch (const std::exception& e) {
        failures[i] = e.what();
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  for (const auto& failure : failures) {
    CHECK(failure.empty());
  }
  CHECK(opened == openers);
  CHECK(schema.query("SELECT version FROM schema_migrations") == rows{{"1"}});
}

TEST_CASE("a failing migration is internal and names the file and leaves nothing applied") {
  temporary_schema schema;
  // A schema_migrations that refuses the runner's INSERT makes 0001 fail
  // after its CREATE TABLE, inside the migration's transaction.
  schema.query(
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
      "applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), blocker INTEGER NOT NULL)");
  auto options = options_for(schema);
  std::string message;
  CHECK(error_code_of([&] { artifacts::open_driver(options); }, &message) == errc::internal);
  CHECK(message.rfind("open: migration 0001_init.sql failed: ", 0) == 0);
  CHECK(schema.query("SELECT to_regclass('artifacts_blobs') IS NULL") == rows{{"t"}});

  // The lock was released: once the obstacle is gone, the next open migrates.
  schema.query("DROP TABLE schema_migrations");
  artifacts::open_driver(options);
  CHECK(schema.query("SELECT version FROM schema_migrations") == rows{{"1"}});
}

TEST_CASE("bytes round-trip exactly for every byte value and for empty and 1 MiB payloads") {
  temporary_schema schema;
  auto driver = artifacts::open_driver(options_for(schema));
  operations ops{driver->open_backend(), driver->options()};
  auto scope = make_scope("tenant", "user", "session", "task");

  std::string every_byte;
  for (int value = 0; value < 256; ++value) {
    every_byte.push_back(static_cast<char>(value));
  }
  std::string large(size_t{1} << 20, '\0');
  for (size_t i = 0; i < large.size(); ++i) {
    large[i] = static_cast<char>((i * 7919 + i / 251) & 0xff);
  }
  for (const auto& payload : {every_byte, std::string(), large}) {
    auto ref = ops.put(put_request(scope, payload));
    CHECK(ref.size_bytes() == static_cast<int64_t>(payload.size()));
    auto blob = ops.get(key_of(ref));
    REQUIRE(blob.found());
    CHECK(blob.data() == payload);
    auto fetched = ops.get_ref(key_of(ref));
    REQUIRE(fetched.found());
    CHECK(same(fetched.ref(), ref));
  }
  CHECK(schema.query("SELECT count(*) FROM artifacts_blobs") == rows{{"3"}});
}

TEST_CASE("refs round-trip with scope and namespace and defaults and source") {
  temporary_schema schema;
  auto driver = artifacts::open_driver(options_for(schema));
  operations ops{driver->open_backend(), driver->options()};

  auto request = put_request(make_scope("t", "u", "s"), "hello");
  request.set_namespace_("docs");
  request.set_filename("hello.txt");
  request.set_text(true);
  REQUIRE(artifacts::source_from_json(R"({"tool":"grep","n":3,"nested":{"ok":true}})",
                                      request.mutable_source()));
  auto ref = ops.put(request);
  CHECK(ref.namespace_() == "docs");
  CHECK(ref.id().rfind("docs_", 0) == 0);
  CHECK(ref.mime_type() == "text/plain; charset=utf-8");
  CHECK(ref.has_source());

  auto fetched = ops.get_ref(key_of(ref));
  REQUIRE(fetched.found());
  CHECK(same(fetched.ref(), ref));
  CHECK(same(fetched.ref().source(), request.source()));

  auto plain = ops.put(put_request(make_scope("t", "u", "s"), "no source"));
  auto plain_fetched = ops.get_ref(key_of(plain));
  REQUIRE(plain_fetched.found());
  CHECK_FALSE(plain_fetched.ref().has_source());
  CHECK(schema.query("SELECT convert_from(source_json, 'UTF8') FROM artifacts_blobs "
                     "WHERE id = '" +
                     plain.id() + "'") == rows{{"null"}});

  v1::Key absent;
  *absent.mutable_scope() = make_scope("t", "u", "s");
  absent.set_id("default_000000000000");
  CHECK_FALSE(ops.get(absent).found());
  CHECK_FALSE(ops.get_ref(absent).found());
  CHECK_FALSE(ops.exists(absent));
  CHECK(ops.exists(key_of(ref)));
  CHECK(ops.remove(key_of(ref)));
  CHECK_FALSE(ops.remove(key_of(ref)));
  CHECK_FALSE(ops.exists(key_of(ref)));
}

TEST_CASE("a re-put returns the first writer's ref unchanged and keeps one row") {
  temporary_schema schema;
  auto driver = artifacts::open_driver(options_for(schema));
  operations first_writer{driver->open_backend(), driver->options()};
  operations second_writer{driver->open_backend(), driver->options()};
  auto scope = make_scope("t", "u", "s", "task");

  auto first = put_request(scope, "same bytes");
  first.set_mime_type("application/x-first");
  first.set_filename("first.bin");
  REQUIRE(artifacts::source_from_json(R"({"writer":"first"})", first.mutable_source()));
  auto second = put_request(scope, "same bytes");
  second.set_mime_type("application/x-second");
  second.set_filename("second.bin");

  auto stored = first_writer.put(first);
  auto again = second_writer.put(second);
  CHECK(same(again, stored));
  CHECK(again.mime_type() == "application/x-first");
  CHECK(again.filename() == "first.bin");
  CHECK(schema.query("SELECT count(*), min(mime_type) FROM artifacts_blobs") ==
        rows{{"1", "application/x-first"}});
}

TEST_CASE("identical puts from 16 connections at once return one ref and leave one row") {
  temporary_schema schema;
  auto driver = artifacts::open_driver(options_for(schema));
  auto scope = make_scope("t", "u", "s");
  constexpr int writers = 16;
  std::vector<v1::ArtifactRef> refs(writers);
  std::vector<std::string> failures(writers);
  std::vector<std::thread> threads;
  for (int i = 0; i < writers; ++i) {
    threads.emplace_back([&, i] {
      try {
        operations ops{driver->open_backend(), driver->options()};
        auto request = put_request(scope, "contended bytes");
        request.set_filename("writer-" + std::to_string(i));
        refs[i] = ops.put(request);
      } catch (const std::exception& e) {
        failures[i] = e.what();
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  for (int i = 0; i < writers; ++i) {
    CHECK(failures[i].empty());
    CHECK(same(refs[i], refs[0]));
  }
  CHECK(schema.query("SELECT count(*) FROM artifacts_blobs") == rows{{"1"}});
}

TEST_CASE("a forced id collision fails with hash_collision and leaves the first artifact") {
  temporary_schema schema;
  auto options = options_for(schema);
  options.make_id = [](std::string_view ns, std::string_view) {
    return std::string(ns) + "_constant";
  };
  auto driver = artifacts::open_driver(options);
  operations ops{driver->open_backend(), driver->options()};
  auto scope = make_scope("t", "u", "s");

  auto first = ops.put(put_request(scope, "first content"));
  CHECK(first.id() == "default_constant");
  CHECK(error_code_of([&] { ops.put(put_request(scope, "other content")); }) ==
        errc::hash_collision);

  auto blob = ops.get(key_of(first));
  REQUIRE(blob.found());
  CHECK(blob.data() == "first content");
  auto ref = ops.get_ref(key_of(first));
  REQUIRE(ref.found());
  CHECK(same(ref.ref(), first));
  CHECK(schema.query("SELECT count(*) FROM artifacts_blobs") == rows{{"1"}});
}

TEST_CASE("list is in bytewise key order and small pages walk every row once") {
  temporary_schema schema;
  auto driver = artifacts::open_driver(options_for(schema));
  operations ops{driver->open_backend(), driver->options()};
  if (GENERATE(false, true)) {
    // The store's order must not depend on the database's collation: with a
    // linguistic one on the key columns, default comparisons would differ.
    schema.query(
        "ALTER TABLE artifacts_blobs ALTER COLUMN tenant TYPE text COLLATE \"en-x-icu\", "
        "ALTER COLUMN \"user\" TYPE text COLLATE \"en-x-icu\", "
        "ALTER COLUMN session TYPE text COLLATE \"en-x-icu\", "
        "ALTER COLUMN task TYPE text COLLATE \"en-x-icu\", "
        "ALTER COLUMN namespace TYPE text COLLATE \"en-x-icu\", "
        "ALTER COLUMN id TYPE text COLLATE \"en-x-icu\"");
  }

  // Upper before lower case, punctuation, multi-byte UTF-8 and prefixes:
  // orders that differ between bytewise and linguistic collations.
  const std::vector<std::string> names = {"a", "B", "b", "A",   "_x",  "a b",  "ab", "é",
                                          "z", "Z", "ä", "a-b", "a_b", "日本", "aa", "0"};
  std::vector<
      std::tuple<std::string, std::string, std::string, std::string, std::string, std::string>>
      expected;
  int n = 0;
  for (const auto& tenant : {std::string("t1"), std::string("T2"), std::string("ü")}) {
    for (const auto& name : names) {
      auto request = put_request(make_scope(tenant, name, "s", n % 3 == 0 ? "" : name),
                                 "payload " + std::to_string(n));
      request.set_namespace_(n % 2 == 0 ? "Ns" : "ns");
      auto ref = ops.put(request);
      const auto& s = ref.scope();
      expected.emplace_back(s.tenant(), s.user(), s.session(), s.task(), ref.namespace_(),
                            ref.id());
      ++n;
    }
  }
  std::sort(expected.begin(), expected.end());

  auto key_tuple = [](const v1::ArtifactRef& ref) {
    const auto& s = ref.scope();
    return std::make_tuple(s.tenant(), s.user(), s.session(), s.task(), ref.namespace_(), ref.id());
  };

  v1::ListRequest everything;
  everything.set_limit(1000);
  auto all = ops.list(everything);
  CHECK(all.next_page_token().empty());
  REQUIRE(all.refs_size() == static_cast<int>(expected.size()));
  for (int i = 0; i < all.refs_size(); ++i) {
    CHECK(key_tuple(all.refs(i)) == expected[i]);
  }

  decltype(expected) walked;
  v1::ListRequest page;
  page.set_limit(3);
  int pages = 0;
  do {
    auto result = ops.list(page);
    for (const auto& ref : result.refs()) {
      walked.push_back(key_tuple(ref));
    }
    page.set_page_token(result.next_page_token());
    ++pages;
  } while (!page.page_token().empty() && pages < 1000);
  CHECK(walked == expected);

  v1::ListRequest one_tenant;
  one_tenant.mutable_filter()->set_tenant("ü");
  one_tenant.mutable_filter()->set_user("a");
  auto filtered = ops.list(one_tenant);
  REQUIRE(filtered.refs_size() == 1);
  CHECK(filtered.refs(0).scope().tenant() == "ü");
  CHECK(filtered.refs(0).scope().user() == "a");
}

TEST_CASE("SQL in every string field is stored literally") {
  temporary_schema schema;
  auto driver = artifacts::open_driver(options_for(schema));
  operations ops{driver->open_backend(), driver->options()};

  const std::string drop = "'; DROP TABLE artifacts_blobs; --";
  auto request = put_request(make_scope(drop, "\" OR 1=1 --", "$1 $2 \\x00 ''", "') OR ('1'='1"),
                             "'; DELETE FROM artifacts_blobs; --");
  request.set_namespace_("ns'); TRUNCATE artifacts_blobs; --");
  request.set_mime_type("text/plain'; SELECT pg_sleep(10); --");
  request.set_filename("../../etc/passwd'; --");
  REQUIRE(artifacts::source_from_json(R"({"q":"'); DROP SCHEMA public CASCADE; --"})",
                                      request.mutable_source()));
  auto ref = ops.put(request);
  CHECK(ref.scope().tenant() == drop);

  auto fetched = ops.get_ref(key_of(ref));
  REQUIRE(fetched.found());
  CHECK(same(fetched.ref(), ref));
  CHECK(fetched.ref().namespace_() == "ns'); TRUNCATE artifacts_blobs; --");
  CHECK(fetched.ref().mime_type() == "text/plain'; SELECT pg_sleep(10); --");
  CHECK(fetched.ref().filename() == "../../etc/passwd'; --");
  CHECK(ops.get(key_of(ref)).data() == "'; DELETE FROM artifacts_blobs; --");

  v1::ListRequest by_tenant;
  by_tenant.mutable_filter()->set_tenant(drop);
  by_tenant.mutable_filter()->set_user("' OR ''='");
  CHECK(ops.list(by_tenant).refs_size() == 0);
  by_tenant.mutable_filter()->set_user("\" OR 1=1 --");
  CHECK(ops.list(by_tenant).refs_size() == 1);
  CHECK(schema.query("SELECT count(*), min(tenant) FROM artifacts_blobs") == rows{{"1", drop}});
}

TEST_CASE("an open backend shows its application_name in pg_stat_activity") {
  temporary_schema schema;
  const std::string application_name = "artifact-store-" + schema.name();
  auto driver = artifacts::open_driver(options_for(schema, application_name));
  auto backend = driver->open_backend();
  CHECK(schema.connections_named(application_name) == 1);
  auto another = driver->open_backend();
  CHECK(schema.connections_named(application_name) == 2);
}

TEST_CASE("large payloads are stored lz4-compressed where the server has lz4") {
  temporary_schema schema;
  auto driver = artifacts::open_driver(options_for(schema));
  operations ops{driver->open_backend(), driver->options()};
  std::string text;
  while (text.size() < 64 * 1024) {
    text += "{\"tool\":\"grep\",\"line\":" + std::to_string(text.size()) + "}\n";
  }
  auto ref = ops.put(put_request(make_scope("tenant", "user", "session"), text));
  const bool server_has_lz4 = schema.query(
                                  "SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                                  "WHERE name = 'default_toast_compression'") == rows{{"t"}};
  // The id is lowercase hex: safe to quote into the statement.
  CHECK(schema.query("SELECT pg_column_compression(bytes) FROM artifacts_blobs WHERE id = '" +
                     ref.id() + "'") == rows{{server_has_lz4 ? "lz4" : "pglz"}});
  auto blob = ops.get(key_of(ref));
  REQUIRE(blob.found());
  CHECK(blob.data() == text);
}

TEST_CASE("a statement timeout is unavailable and the backend stays usable") {
  temporary_schema schema;
  auto options = options_for(schema);
  options.statement_timeout = std::chrono::milliseconds{300};
  auto driver = artifacts::open_driver(options);
  operations ops{driver->open_backend(), driver->options()};
  auto ref = ops.put(put_request(make_scope("t", "u", "s"), "locked away"));

  // Another session holds a lock that every statement on the table waits for.
  pqxx::connection locker{schema.dsn("artifact-store-locker")};
  pqxx::work lock{locker};
  lock.exec0("LOCK TABLE artifacts_blobs IN ACCESS EXCLUSIVE MODE");

  std::string message;
  CHECK(error_code_of([&] { ops.get(key_of(ref)); }, &message) == errc::unavailable);
  CHECK(message.rfind("get: statement timed out", 0) == 0);
  CHECK(error_code_of([&] { ops.put(put_request(make_scope("t", "u", "s"), "more")); }) ==
        errc::unavailable);

  lock.abort();
  CHECK(ops.get(key_of(ref)).data() == "locked away");
}

TEST_CASE("a terminated connection is unavailable and the backend is dropped and replaced") {
  temporary_schema schema;
  const std::string application_name = "artifact-store-" + schema.name();
  auto driver = artifacts::open_driver(options_for(schema, application_name));
  auto ops = std::make_unique<operations>(driver->open_backend(), driver->options());
  auto ref = ops->put(put_request(make_scope("t", "u", "s"), "survives"));

  // pg_terminate_backend with a timeout returns once the session is gone.
  CHECK(schema.query("SELECT bool_and(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity "
                     "WHERE application_name = '" +
                     application_name + "'") == rows{{"t"}});
  std::string message;
  CHECK(error_code_of([&] { ops->get(key_of(ref)); }, &message) == errc::unavailable);
  CAPTURE(message);
  ops.reset();

  operations fresh{driver->open_backend(), driver->options()};
  CHECK(fresh.get(key_of(ref)).data() == "survives");
}

TEST_CASE("a batch of puts is one transaction and each put keeps its own outcome") {
  temporary_schema schema;
  artifacts::testing::check_put_batch_outcomes(options_for(schema));
  CHECK(schema.query("SELECT count(*) FROM artifacts_blobs") == rows{{"5"}});
}

TEST_CASE("a batch of gets answers each key in order, found or not, in one pipeline") {
  temporary_schema schema;
  auto driver = artifacts::open_driver(options_for(schema));
  operations ops{driver->open_backend(), driver->options()};
  auto scope = make_scope("t", "u", "s");
  std::string large(1 << 20, '\0');
  for (size_t i = 0; i < large.size(); ++i) {
    large[i] = static_cast<char>(i * 7);
  }
  auto small = ops.put(put_request(scope, "small"));
  auto big = ops.put(put_request(scope, large));
  auto empty = ops.put(put_request(scope, ""));
  v1::Key missing = key_of(small);
  missing.set_id("default_000000000000");
  v1::Key bad = key_of(small);
  bad.mutable_scope()->set_tenant("");

  const auto small_key = key_of(small);
  const auto big_key = key_of(big);
  const auto empty_key = key_of(empty);
  for (int round = 0; round < 2; ++round) {  // the connection serves again after a pipeline
    auto outcomes = ops.get_batch({&small_key, &missing, &big_key, &bad, &empty_key, &small_key});
    REQUIRE(outcomes.size() == 6);
    REQUIRE(outcomes[0].value);
    CHECK(outcomes[0].value->data() == "small");
    REQUIRE(outcomes[1].value);
    CHECK_FALSE(outcomes[1].value->found());
    REQUIRE(outcomes[2].value);
    CHECK(outcomes[2].value->data() == large);
    REQUIRE(outcomes[3].error);
    CHECK(outcomes[3].error->code() == errc::identity_required);
    REQUIRE(outcomes[4].value);
    CHECK(outcomes[4].value->found());
    CHECK(outcomes[4].value->data().empty());
    REQUIRE(outcomes[5].value);
    CHECK(outcomes[5].value->data() == "small");
    // libpqxx works on the same connection between batches.
    CHECK(ops.exists(small_key));
    CHECK(ops.list(v1::ListRequest{}).refs_size() == 3);
  }
}
