// The PostgreSQL driver against a real server (run under pg_virtualenv):
// schema, migrations, connection settings, error mapping and the store's
// semantics through operations, each test on a schema of its own. The cases
// every driver passes are registered from driver_cases; the rest are
// PostgreSQL's own.
#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <google/protobuf/util/time_util.h>
#include <libpq-fe.h>
#include <catch2/catch.hpp>
#include <pqxx/connection>
#include <pqxx/transaction>

#include <artifact_store/errc.hpp>
#include <artifact_store/ref_json.hpp>
#include <artifact_store/verified_put.hpp>

#include "scenarios/driver_cases.hpp"
#include "scenarios/driver_test_support.hpp"
#include "scenarios/postgres_schema.hpp"
#include "scenarios/requests.hpp"
#include "scenarios/scenario_support.hpp"
#include "storage/open_driver.hpp"
#include "storage/operations.hpp"
#include "storage/postgres/conninfo.hpp"
#include "storage/postgres/statements.hpp"

namespace {

using artifacts::errc;
using artifacts::operations;
using artifacts::storage_options;
using artifacts::store_error;
using artifacts::scenarios::make_key;
using artifacts::scenarios::make_scope;
using artifacts::scenarios::put_request;
using artifacts::scenarios::same;
using artifacts::testing::options_for;
using artifacts::testing::temporary_schema;
namespace v1 = artifacts::v1;

using rows = std::vector<std::vector<std::string>>;

// The behavioural cases every driver passes, each store on a fresh schema
// of its own, whose rows the cases count.
[[maybe_unused]] const bool cases_registered = artifacts::testing::register_driver_cases(
    "postgres", {"postgres",
                 [] {
                   auto schema = std::make_shared<temporary_schema>();
                   artifacts::testing::fresh_store store;
                   store.dsn = schema->dsn();
                   store.count_stored = [schema] { return schema->stored_artifacts(); };
                   store.resources = std::move(schema);
                   return store;
                 },
                 artifacts::testing::store_lifetime::outlives_driver});

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
  CHECK(setting(info.keywords, "target_session_attrs") == "read-write");
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

TEST_CASE("a DSN may name several hosts, in keyword or URI form, for a failover") {
  storage_options options;
  auto keywords = artifacts::postgres::make_conninfo(
      "host=db-a,db-b port=5433,5434 dbname=store target_session_attrs=any", options);
  CHECK(setting(keywords.keywords, "host") == "db-a,db-b");
  CHECK(setting(keywords.keywords, "port") == "5433,5434");
  CHECK(setting(keywords.keywords, "target_session_attrs") == "any");

  auto uri = artifacts::postgres::make_conninfo(
      "postgresql://app@db-a:5433,db-b:5434/store?connect_timeout=3", options);
  CHECK(setting(uri.keywords, "host") == "db-a,db-b");
  CHECK(setting(uri.keywords, "port") == "5433,5434");
  CHECK(setting(uri.keywords, "connect_timeout") == "3");
  CHECK(setting(uri.keywords, "target_session_attrs") == "read-write");

  CHECK_THROWS_AS(artifacts::postgres::make_conninfo("host=db-a,db-b port=5433,x", options),
                  artifacts::store_error);
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

TEST_CASE(
    "a server that accepts no writes is unavailable, found at connect or at the first write") {
  temporary_schema schema;
  const std::string read_only =
      " options='-c search_path=" + schema.name() + " -c default_transaction_read_only=on'";
  storage_options options;
  std::string message;
  // As the store connects by default (target_session_attrs=read-write),
  // libpq refuses such a server, as it refuses a standby.
  options.dsn = schema.dsn() + read_only;
  CHECK(error_code_of([&] { artifacts::open_driver(options); }, &message) == errc::unavailable);
  CHECK(message.rfind("open: cannot connect to PostgreSQL: ", 0) == 0);
  // Told to take any server, the store meets SQLSTATE 25006 at its first
  // write (the migration), which a new connection may cure.
  options.dsn = schema.dsn() + read_only + " target_session_attrs=any";
  CHECK(error_code_of([&] { artifacts::open_driver(options); }, &message) == errc::unavailable);
  CHECK(message.find("this PostgreSQL server accepts no writes") != std::string::npos);
}

TEST_CASE("a clean start applies migration 1 and creates the designed table") {
  temporary_schema schema;
  auto driver = artifacts::open_driver(options_for(schema.dsn()));
  CHECK(driver->name() == "postgres");

  CHECK(schema.query("SELECT version FROM schema_migrations ORDER BY version") ==
        rows{{"1"}, {"2"}, {"3"}, {"4"}, {"5"}, {"6"}, {"7"}, {"8"}});
  CHECK(schema.query("SELECT column_name, data_type, is_nullable, column_default "
                     "FROM information_schema.columns "
                     "WHERE table_schema = current_schema() AND table_name = 'schema_migrations' "
                     "ORDER BY ordinal_position") ==
        rows{{"version", "integer", "NO", "<null>"},
             {"applied_at", "timestamp with time zone", "NO", "now()"}});

  CHECK(schema.query("SELECT column_name, data_type, is_nullable "
                     "FROM information_schema.columns "
                     "WHERE table_schema = current_schema() AND table_name = 'artifacts_blobs' "
                     "ORDER BY ordinal_position") ==
        rows{{"tenant", "text", "NO"},
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
             {"bytes", "bytea", "NO"},
             {"created_at", "timestamp with time zone", "NO"},
             {"expires_at", "timestamp with time zone", "YES"}});

  CHECK(schema.query("SELECT a.attname FROM pg_index i "
                     "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                     "WHERE i.indrelid = 'artifacts_blobs'::regclass AND i.indisprimary "
                     "ORDER BY array_position(i.indkey::int2[], a.attnum)") ==
        rows{{"tenant"}, {"user"}, {"session"}, {"task"}, {"namespace"}, {"id"}});
}

TEST_CASE("re-opening a migrated schema applies nothing again") {
  temporary_schema schema;
  auto options = options_for(schema.dsn());
  artifacts::open_driver(options);
  auto reopened = artifacts::open_driver(options);
  CHECK(schema.query("SELECT version FROM schema_migrations ORDER BY version") ==
        rows{{"1"}, {"2"}, {"3"}, {"4"}, {"5"}, {"6"}, {"7"}, {"8"}});

  operations ops{reopened->open_backend(), reopened->options()};
  CHECK(ops.put(put_request(make_scope("t", "u", "s"), "after reopen")).size_bytes() == 12);
}

TEST_CASE("16 drivers opening a fresh schema at once all succeed and migrate once") {
  temporary_schema schema;
  auto options = options_for(schema.dsn());
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
  CHECK(schema.query("SELECT version FROM schema_migrations ORDER BY version") ==
        rows{{"1"}, {"2"}, {"3"}, {"4"}, {"5"}, {"6"}, {"7"}, {"8"}});
}

TEST_CASE("a failing migration is internal and names the file and leaves nothing applied") {
  temporary_schema schema;
  // A schema_migrations that refuses the runner's INSERT makes 0001 fail
  // after its CREATE TABLE, inside the migration's transaction.
  schema.query(
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
      "applied_at TIMESTAMPTZ NOT NULL DEFAULT now(), blocker INTEGER NOT NULL)");
  auto options = options_for(schema.dsn());
  std::string message;
  CHECK(error_code_of([&] { artifacts::open_driver(options); }, &message) == errc::internal);
  CHECK(message.rfind("open: migration 0001_init.sql failed: ", 0) == 0);
  CHECK(schema.query("SELECT to_regclass('artifacts_blobs') IS NULL") == rows{{"t"}});

  // The lock was released: once the obstacle is gone, the next open migrates.
  schema.query("DROP TABLE schema_migrations");
  artifacts::open_driver(options);
  CHECK(schema.query("SELECT version FROM schema_migrations ORDER BY version") ==
        rows{{"1"}, {"2"}, {"3"}, {"4"}, {"5"}, {"6"}, {"7"}, {"8"}});
}

TEST_CASE("the list-order index is built valid, bytewise, and rebuilt when a build stopped") {
  temporary_schema schema;
  const auto options = options_for(schema.dsn());
  artifacts::open_driver(options);
  const std::string index_state =
      "SELECT i.indisvalid, pg_get_indexdef(i.indexrelid) FROM pg_index i "
      "WHERE i.indexrelid = to_regclass('artifacts_blobs_list_order')";
  const rows built = {
      {"t", "CREATE INDEX artifacts_blobs_list_order ON " + schema.name() +
                ".artifacts_blobs USING btree (tenant COLLATE \"C\", \"user\" COLLATE \"C\", "
                "session COLLATE \"C\", task COLLATE \"C\", namespace COLLATE \"C\", id COLLATE "
                "\"C\")"}};
  CHECK(schema.query(index_state) == built);

  // A build that stopped part way: an INVALID index under the same name (a
  // unique build over duplicates fails after creating it), and no version 2.
  schema.query(
      "DROP INDEX artifacts_blobs_list_order; DELETE FROM schema_migrations WHERE version = 2");
  operations ops{artifacts::open_driver(options)->open_backend(), options};
  ops.put(put_request(make_scope("t", "u", "s"), "one"));
  ops.put(put_request(make_scope("t", "u", "s"), "two"));
  schema.query(
      "DROP INDEX artifacts_blobs_list_order; DELETE FROM schema_migrations WHERE version = 2");
  CHECK_THROWS(
      schema.query("CREATE UNIQUE INDEX CONCURRENTLY artifacts_blobs_list_order ON artifacts_blobs "
                   "(mime_type)"));
  REQUIRE(schema.query("SELECT indisvalid FROM pg_index "
                       "WHERE indexrelid = to_regclass('artifacts_blobs_list_order')") ==
          rows{{"f"}});

  artifacts::open_driver(options);
  CHECK(schema.query(index_state) == built);
  CHECK(schema.query("SELECT version FROM schema_migrations ORDER BY version") ==
        rows{{"1"}, {"2"}, {"3"}, {"4"}, {"5"}, {"6"}, {"7"}, {"8"}});
}

TEST_CASE("rows the original driver's statements write are listed in order after migration 2") {
  temporary_schema schema;
  auto driver = artifacts::open_driver(options_for(schema.dsn()));
  // The original driver's insert, as it sends it, with its values inline.
  for (const char* id : {"ns_bbbbbbbbbbbb", "ns_AAAAAAAAAAAA", "ns_aaaaaaaaaaaa"}) {
    schema.query(
        "INSERT INTO artifacts_blobs (tenant, \"user\", session, task, namespace, id, mime_type,"
        " size_bytes, filename, sha256, source_json, bytes) VALUES ('go', 'u', 's', '', 'ns', '" +
        std::string(id) +
        "', 'text/plain', 2, '', 'ab', '\\x6e756c6c', '\\x6869')"
        " ON CONFLICT (tenant, \"user\", session, task, namespace, id) DO NOTHING");
  }
  operations ops{driver->open_backend(), driver->options()};
  auto listed = ops.list(artifacts::scenarios::list_request(make_scope("go", "", ""), 2));
  REQUIRE(listed.refs_size() == 2);
  CHECK(listed.refs(0).id() == "ns_AAAAAAAAAAAA");
  CHECK(listed.refs(1).id() == "ns_aaaaaaaaaaaa");
  auto rest = ops.list([&] {
    auto request = artifacts::scenarios::list_request(make_scope("go", "u", ""), 2);
    request.set_page_token(listed.next_page_token());
    return request;
  }());
  REQUIRE(rest.refs_size() == 1);
  CHECK(rest.refs(0).id() == "ns_bbbbbbbbbbbb");
  // Its read and its delete by key still find the rows through the
  // primary key.
  CHECK(schema.query("SELECT bytes FROM artifacts_blobs WHERE tenant = 'go' AND \"user\" = 'u'"
                     " AND session = 's' AND task = '' AND namespace = 'ns'"
                     " AND id = 'ns_bbbbbbbbbbbb'") == rows{{"\\x6869"}});
  schema.query(
      "DELETE FROM artifacts_blobs WHERE tenant = 'go' AND \"user\" = 'u'"
      " AND session = 's' AND task = '' AND namespace = 'ns' AND id = 'ns_bbbbbbbbbbbb'");
  CHECK(ops.list(artifacts::scenarios::list_request(make_scope("go", "", ""), 10)).refs_size() ==
        2);
}

TEST_CASE("a row inserted the original driver's way gets a created_at and never expires") {
  temporary_schema schema;
  auto driver = artifacts::open_driver(options_for(schema.dsn()));
  const auto before = schema.query("SELECT (extract(epoch FROM now()) * 1000000)::int8");
  // The original driver's insert, its twelve columns, with its values inline.
  schema.query(
      "INSERT INTO artifacts_blobs (tenant, \"user\", session, task, namespace, id, mime_type,"
      " size_bytes, filename, sha256, source_json, bytes) VALUES ('go', 'u', 's', '', 'ns',"
      " 'ns_0123456789ab', 'text/plain', 2, 'go.txt', 'ab', '\\x6e756c6c', '\\x6869')"
      " ON CONFLICT (tenant, \"user\", session, task, namespace, id) DO NOTHING");
  operations ops{driver->open_backend(), driver->options()};
  const auto key = make_key(make_scope("go", "u", "s"), "ns_0123456789ab");
  auto read = ops.get_ref(key);
  REQUIRE(read.found());
  CHECK(read.ref().filename() == "go.txt");
  CHECK(read.ref().size_bytes() == 2);
  REQUIRE(read.ref().has_created_at());
  const auto created =
      google::protobuf::util::TimeUtil::TimestampToMicroseconds(read.ref().created_at());
  CHECK(created >= std::stoll(before.at(0).at(0)) - 1'000'000);
  CHECK(created <= std::stoll(before.at(0).at(0)) + 60'000'000);
  CHECK_FALSE(read.ref().has_expires_at());
  CHECK(ops.get(key).data() == "hi");
  // What the original driver reads back: its twelve columns, unchanged.
  CHECK(schema.query("SELECT filename, size_bytes, encode(bytes, 'escape') FROM artifacts_blobs"
                     " WHERE id = 'ns_0123456789ab'") == rows{{"go.txt", "2", "hi"}});
  // A row the store wrote, with an expiry, reads the same way to it.
  auto request = put_request(make_scope("go", "u", "s"), "expiring");
  request.mutable_ttl()->set_seconds(3600);
  auto ref = ops.put(request);
  CHECK(schema.query("SELECT encode(bytes, 'escape'), expires_at > now() FROM artifacts_blobs"
                     " WHERE id = '" +
                     ref.id() + "'") == rows{{"expiring", "t"}});
}

TEST_CASE("a ref without a source stores JSON null in source_json") {
  temporary_schema schema;
  auto driver = artifacts::open_driver(options_for(schema.dsn()));
  operations ops{driver->open_backend(), driver->options()};
  auto plain = ops.put(put_request(make_scope("t", "u", "s"), "no source"));
  auto plain_fetched = ops.get_ref(make_key(plain));
  REQUIRE(plain_fetched.found());
  CHECK_FALSE(plain_fetched.ref().has_source());
  CHECK(schema.query("SELECT convert_from(source_json, 'UTF8') FROM artifacts_blobs "
                     "WHERE id = '" +
                     plain.id() + "'") == rows{{"null"}});
}

TEST_CASE("list is in bytewise key order and small pages walk every row once") {
  temporary_schema schema;
  auto driver = artifacts::open_driver(options_for(schema.dsn()));
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
  auto driver = artifacts::open_driver(options_for(schema.dsn()));
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

  auto fetched = ops.get_ref(make_key(ref));
  REQUIRE(fetched.found());
  CHECK(same(fetched.ref(), ref));
  CHECK(fetched.ref().namespace_() == "ns'); TRUNCATE artifacts_blobs; --");
  CHECK(fetched.ref().mime_type() == "text/plain'; SELECT pg_sleep(10); --");
  CHECK(fetched.ref().filename() == "../../etc/passwd'; --");
  CHECK(ops.get(make_key(ref)).data() == "'; DELETE FROM artifacts_blobs; --");

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
  auto driver = artifacts::open_driver(options_for(schema.dsn(application_name)));
  auto backend = driver->open_backend();
  CHECK(schema.connections_named(application_name) == 1);
  auto another = driver->open_backend();
  CHECK(schema.connections_named(application_name) == 2);
}

TEST_CASE("large payloads are stored lz4-compressed where the server has lz4") {
  temporary_schema schema;
  auto driver = artifacts::open_driver(options_for(schema.dsn()));
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
  auto blob = ops.get(make_key(ref));
  REQUIRE(blob.found());
  CHECK(blob.data() == text);
}

TEST_CASE("a statement timeout is unavailable and the backend stays usable") {
  temporary_schema schema;
  auto options = options_for(schema.dsn());
  options.statement_timeout = std::chrono::milliseconds{300};
  auto driver = artifacts::open_driver(options);
  operations ops{driver->open_backend(), driver->options()};
  auto ref = ops.put(put_request(make_scope("t", "u", "s"), "locked away"));

  // Another session holds a lock that every statement on the table waits for.
  pqxx::connection locker{schema.dsn("artifact-store-locker")};
  pqxx::work lock{locker};
  lock.exec0("LOCK TABLE artifacts_blobs IN ACCESS EXCLUSIVE MODE");

  std::string message;
  CHECK(error_code_of([&] { ops.get(make_key(ref)); }, &message) == errc::unavailable);
  CHECK(message.rfind("get: statement timed out", 0) == 0);
  CHECK(error_code_of([&] { ops.put(put_request(make_scope("t", "u", "s"), "more")); }) ==
        errc::unavailable);

  lock.abort();
  CHECK(ops.get(make_key(ref)).data() == "locked away");
}

TEST_CASE("a terminated connection is unavailable and the backend is dropped and replaced") {
  temporary_schema schema;
  const std::string application_name = "artifact-store-" + schema.name();
  auto driver = artifacts::open_driver(options_for(schema.dsn(application_name)));
  auto ops = std::make_unique<operations>(driver->open_backend(), driver->options());
  auto ref = ops->put(put_request(make_scope("t", "u", "s"), "survives"));

  // pg_terminate_backend with a timeout returns once the session is gone.
  CHECK(schema.query("SELECT bool_and(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity "
                     "WHERE application_name = '" +
                     application_name + "'") == rows{{"t"}});
  std::string message;
  CHECK(error_code_of([&] { ops->get(make_key(ref)); }, &message) == errc::unavailable);
  CAPTURE(message);
  ops.reset();

  operations fresh{driver->open_backend(), driver->options()};
  CHECK(fresh.get(make_key(ref)).data() == "survives");
}

TEST_CASE("a batch of gets answers each key in order, found or not, and the connection serves on") {
  temporary_schema schema;
  auto driver = artifacts::open_driver(options_for(schema.dsn()));
  operations ops{driver->open_backend(), driver->options()};
  auto scope = make_scope("t", "u", "s");
  std::string large(1 << 20, '\0');
  for (size_t i = 0; i < large.size(); ++i) {
    large[i] = static_cast<char>(i * 7);
  }
  auto small = ops.put(put_request(scope, "small"));
  auto big = ops.put(put_request(scope, large));
  auto empty = ops.put(put_request(scope, ""));
  v1::Key missing = make_key(small);
  missing.set_id("default_000000000000");
  v1::Key bad = make_key(small);
  bad.mutable_scope()->set_tenant("");

  const auto small_key = make_key(small);
  const auto big_key = make_key(big);
  const auto empty_key = make_key(empty);
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

TEST_CASE("two sweepers on one database together delete every expired row exactly once") {
  temporary_schema schema;
  auto options = options_for(schema.dsn());
  options.delete_batch = 100;
  auto first = artifacts::open_driver(options);
  auto second = artifacts::open_driver(options);
  schema.query(
      "INSERT INTO artifacts_blobs (tenant, \"user\", session, task, namespace, id, mime_type,"
      " size_bytes, filename, sha256, source_json, bytes, expires_at)"
      " SELECT 't', 'u', 's', '', 'ns', 'ns_' || g, 'text/plain', 3, '', 'abc', '\\x6e756c6c',"
      " '\\x616263', now() - interval '1 hour' FROM generate_series(1, 5000) g;"
      "INSERT INTO artifacts_blobs (tenant, \"user\", session, task, namespace, id, mime_type,"
      " size_bytes, filename, sha256, source_json, bytes, expires_at)"
      " SELECT 't', 'u', 's', '', 'ns', 'live_' || g, 'text/plain', 3, '', 'abc', '\\x6e756c6c',"
      " '\\x616263', now() + interval '1 hour' FROM generate_series(1, 50) g");
  std::atomic<uint64_t> deleted{0};
  std::atomic<uint64_t> bytes{0};
  std::vector<std::thread> sweepers;
  for (auto* driver : {first.get(), second.get()}) {
    sweepers.emplace_back([&, driver] {
      operations ops{driver->open_backend(), driver->options()};
      for (;;) {
        auto batch = ops.sweep_batch();
        deleted += batch.deleted();
        bytes += batch.bytes();
        if (batch.deleted() < 100) {
          break;
        }
      }
    });
  }
  for (auto& sweeper : sweepers) {
    sweeper.join();
  }
  CHECK(deleted == 5000);
  CHECK(bytes == 15000);
  CHECK(schema.query("SELECT count(*) FROM artifacts_blobs") == rows{{"50"}});
}

namespace {

// What a usage of `tenant` must answer: its live rows, counted one by one.
std::pair<uint64_t, uint64_t> live_rows(temporary_schema& schema, const std::string& tenant) {
  auto counted = schema.query(
      "SELECT count(*), coalesce(sum(size_bytes), 0) FROM artifacts_blobs WHERE tenant = '" +
      tenant + "' AND (expires_at IS NULL OR expires_at > now())");
  return {std::stoull(counted.at(0).at(0)), std::stoull(counted.at(0).at(1))};
}

// Whether artifacts_usage holds, for each tenant, exactly what its rows
// add up to, expired or not: no write missed and none counted twice.
bool counts_match_rows(temporary_schema& schema) {
  return schema.query(
             "SELECT coalesce(r.tenant, c.tenant), r.count, r.bytes, c.count, c.bytes FROM"
             " (SELECT tenant, count(*) AS count, sum(size_bytes) AS bytes FROM artifacts_blobs"
             "  GROUP BY tenant) r FULL JOIN"
             " (SELECT tenant, sum(count) AS count, sum(bytes) AS bytes FROM artifacts_usage"
             "  GROUP BY tenant HAVING sum(count) <> 0 OR sum(bytes) <> 0) c"
             " ON r.tenant = c.tenant"
             " WHERE r.count IS DISTINCT FROM c.count OR r.bytes IS DISTINCT FROM c.bytes") ==
         rows{};
}

std::pair<uint64_t, uint64_t> usage_of(operations& ops, const v1::Scope& filter) {
  v1::UsageRequest request;
  *request.mutable_filter() = filter;
  auto usage = ops.usage(request);
  return {usage.count(), usage.bytes()};
}

// The original driver's insert of a `size`-byte artifact, inline values.
std::string original_insert(const std::string& tenant, const std::string& id, int size) {
  return "INSERT INTO artifacts_blobs (tenant, \"user\", session, task, namespace, id, mime_type,"
         " size_bytes, filename, sha256, source_json, bytes) VALUES ('" +
         tenant + "', 'u', 's', '', 'ns', '" + id + "', 'text/plain', " + std::to_string(size) +
         ", '', 'ab', '\\x6e756c6c', convert_to(repeat('x', " + std::to_string(size) +
         "), 'UTF8'))";
}

}  // namespace

TEST_CASE("a tenant's usage reads its counts, which every writer keeps exact") {
  temporary_schema schema;
  auto options = options_for(schema.dsn());
  auto driver = artifacts::open_driver(options);
  operations ops{driver->open_backend(), driver->options()};
  const auto tenant = make_scope("a", "", "");
  auto check_exact = [&](const char* after) {
    INFO("after " << after);
    CHECK(counts_match_rows(schema));
    CHECK(usage_of(ops, tenant) == live_rows(schema, "a"));
    CHECK(usage_of(ops, make_scope("b", "", "")) == live_rows(schema, "b"));
  };

  // The store's writes: one put, a batch across two tenants with a re-put
  // in it, a delete.
  auto first = ops.put(put_request(make_scope("a", "u", "s"), "first"));
  std::vector<artifacts::verified_put> puts;
  for (const auto& [scope, data] :
       std::vector<std::pair<v1::Scope, std::string>>{{make_scope("a", "u", "s"), "first"},
                                                      {make_scope("a", "u", "s"), "second"},
                                                      {make_scope("a", "v", "s"), "third"},
                                                      {make_scope("b", "u", "s"), "fourth"},
                                                      {make_scope("b", "u", "s"), "fourth"}}) {
    puts.push_back(artifacts::verified_put::hashing(put_request(scope, data)));
  }
  std::vector<const artifacts::verified_put*> batch;
  for (const auto& put : puts) {
    batch.push_back(&put);
  }
  for (const auto& outcome : ops.put_batch(batch)) {
    CHECK(outcome.value);
  }
  check_exact("the store's puts");
  CHECK(usage_of(ops, tenant) == std::make_pair(uint64_t{3}, uint64_t{5 + 6 + 5}));
  CHECK(ops.remove(make_key(first)));
  CHECK_FALSE(ops.remove(make_key(first)));
  check_exact("the store's delete");

  // Another writer's: the original driver's inserts and deletes, and an
  // update that moves a row to another tenant.
  for (int i = 0; i < 10; ++i) {
    schema.query(original_insert("a", "go_" + std::to_string(i), i));
  }
  schema.query("DELETE FROM artifacts_blobs WHERE id IN ('go_1', 'go_2')");
  schema.query("UPDATE artifacts_blobs SET tenant = 'b' WHERE id = 'go_3'");
  schema.query("UPDATE artifacts_blobs SET filename = 'renamed' WHERE id = 'go_4'");
  check_exact("another writer's inserts, deletes and updates");

  // Expiry: an expired row leaves the usage at once and the counts when it
  // is swept; a put over an expired row stores it anew.
  auto expiring = put_request(make_scope("a", "u", "s"), "expiring");
  expiring.mutable_ttl()->set_seconds(3600);
  auto expiring_ref = ops.put(expiring);
  schema.query(
      "UPDATE artifacts_blobs SET expires_at = now() - interval '1 minute'"
      " WHERE id IN ('go_5', '" +
      expiring_ref.id() + "')");
  check_exact("two rows expired");
  ops.put(expiring);
  check_exact("a put over an expired row");
  CHECK(ops.sweep_batch().deleted() == 1);
  check_exact("a sweep");

  // A purge of one user, and a put under a quota.
  v1::PurgeRequest purge;
  *purge.mutable_filter() = make_scope("a", "v", "");
  bool done = false;
  CHECK(ops.purge_batch(purge, done).deleted() == 1);
  check_exact("a purge");
  auto quota_options = options;
  quota_options.default_quota.max_count = 1000;
  auto quota_driver = artifacts::open_driver(quota_options);
  operations quota_ops{quota_driver->open_backend(), quota_driver->options()};
  quota_ops.put(put_request(make_scope("a", "u", "s"), "under a quota"));
  check_exact("a put under a quota");

  schema.query("TRUNCATE artifacts_blobs");
  check_exact("TRUNCATE");
  CHECK(usage_of(ops, tenant) == std::make_pair(uint64_t{0}, uint64_t{0}));
}

TEST_CASE("migration 6 counts the rows stored before it") {
  temporary_schema schema;
  auto options = options_for(schema.dsn());
  artifacts::open_driver(options);
  for (int i = 0; i < 20; ++i) {
    schema.query(original_insert(i % 3 == 0 ? "a" : "b", "go_" + std::to_string(i), i));
  }
  // As a database at migration 5 would be: no counts, no trigger.
  schema.query(
      "DROP TRIGGER artifacts_blobs_usage_count ON artifacts_blobs;"
      " DROP TRIGGER artifacts_blobs_usage_clear ON artifacts_blobs;"
      " DROP TABLE artifacts_usage; DELETE FROM schema_migrations WHERE version >= 6");
  auto driver = artifacts::open_driver(options);
  CHECK(counts_match_rows(schema));
  operations ops{driver->open_backend(), driver->options()};
  CHECK(usage_of(ops, make_scope("a", "", "")) == live_rows(schema, "a"));
  CHECK(usage_of(ops, make_scope("a", "", "")) ==
        std::make_pair(uint64_t{7}, uint64_t{0 + 3 + 6 + 9 + 12 + 15 + 18}));
}

namespace {

// The shared buffers (hit and read) `statement` touches, run once with
// `arguments` under EXPLAIN (ANALYZE, BUFFERS): detoasting counts too.
uint64_t buffers_touched(temporary_schema& schema, const std::string& statement,
                         const std::string& arguments) {
  const auto plan = schema.query("PREPARE measured AS " + statement +
                                 "; EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)"
                                 " EXECUTE measured(" +
                                 arguments + ")");
  uint64_t total = 0;
  for (const auto& row : plan) {
    const auto& line = row.at(0);
    if (line.find("Buffers:") == std::string::npos || line.find("Planning") != std::string::npos) {
      continue;
    }
    for (const std::string kind : {"hit=", "read="}) {
      if (auto at = line.find(kind); at != std::string::npos) {
        total += std::stoull(line.substr(at + kind.size()));
      }
    }
    break;  // the top node's line counts its children's too
  }
  return total;
}

}  // namespace

TEST_CASE("a range of an uncompressed value fetches only the TOAST chunks it needs") {
  temporary_schema schema;
  auto driver = artifacts::open_driver(options_for(schema.dsn()));
  operations ops{driver->open_backend(), driver->options()};
  // Incompressible bytes: stored out of line, uncompressed.
  std::string data(16 << 20, '\0');
  uint64_t state = 88172645463325252ull;
  for (auto& byte : data) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    byte = static_cast<char>(state >> 32);
  }
  auto ref = ops.put(put_request(make_scope("t", "u", "s"), data));
  REQUIRE(schema.query("SELECT pg_column_compression(bytes) IS NULL,"
                       " pg_column_size(bytes) >= octet_length(bytes) FROM artifacts_blobs") ==
          rows{{"t", "t"}});
  const std::string key = "'t', 'u', 's', '', 'default', '" + ref.id() + "', '0'";
  const auto whole = buffers_touched(schema, "SELECT md5(bytes) FROM artifacts_blobs WHERE id = $1",
                                     "'" + ref.id() + "'");
  const auto at_end =
      buffers_touched(schema, artifacts::postgres::sql::select_range,
                      key + ", " + std::to_string(data.size() - 4096 + 1) + ", 4096");
  INFO("buffers: whole value " << whole << ", 4 KiB at its end " << at_end);
  CHECK(whole > 1500);  // 16 MiB in chunks of about 2 KB, four to a page
  CHECK(at_end < 100);

  v1::RangeRequest request;
  *request.mutable_key() = make_key(ref);
  request.set_offset(static_cast<int64_t>(data.size()) - 4096);
  auto range = ops.get_range(request);
  CHECK(range.data() == data.substr(data.size() - 4096));
}

TEST_CASE("a schema newer than this binary is refused at open, and its status read") {
  temporary_schema schema;
  const auto options = options_for(schema.dsn());
  auto fresh = artifacts::read_schema_status(options);
  CHECK(fresh.driver == "postgres");
  CHECK(fresh.versions.applied.empty());
  CHECK(fresh.versions.pending == std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8});

  artifacts::open_driver(options);
  CHECK(artifacts::read_schema_status(options).versions.applied ==
        std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8});
  // A newer binary applied version 99.
  schema.query("INSERT INTO schema_migrations (version) VALUES (99)");
  try {
    artifacts::open_driver(options);
    FAIL("a newer schema must not be served");
  } catch (const store_error& e) {
    CHECK(e.code() == errc::internal);
    CHECK_THAT(e.what(), Catch::Contains("schema is at version 99, newer than version 8"));
  }
  auto newer = artifacts::read_schema_status(options);
  CHECK(newer.versions.pending.empty());
  CHECK(newer.versions.newer == std::vector<int>{99});
}
