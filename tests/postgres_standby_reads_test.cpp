// A store that reads from a standby that lags on purpose (--read-dsn): a put
// followed at once by a get finds its artifact, the standby serves what it
// has replayed (even with the primary down), and a miss is never answered
// from the standby alone (docs/scaling.md).

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <artifact_store/error.hpp>
#include <artifact_store/store_config.hpp>

#include "scenarios/local_fixture.hpp"
#include "scenarios/replication_pair.hpp"
#include "scenarios/requests.hpp"

namespace {

using namespace std::chrono_literals;
using artifacts::errc;
using artifacts::scenarios::make_key;
using artifacts::scenarios::make_scope;
using artifacts::scenarios::put_request;
using artifacts::scenarios::replication_pair;
using clock_type = std::chrono::steady_clock;

artifacts::store_config config_on(const std::string& dsn, const std::string& read_dsn) {
  artifacts::store_config config;
  config.storage.dsn = dsn;
  config.storage.read_dsn = read_dsn;
  config.storage.connect_timeout = 2s;
  config.storage.statement_timeout = 2s;
  config.pool_size = 2;
  config.request_timeout = 10s;
  config.close_timeout = 10s;
  return config;
}

size_t rows_of_tenant(const replication_pair& pair, uint16_t port, const std::string& tenant) {
  return std::stoul(
      pair.query(port, "SELECT count(*) FROM artifacts_blobs WHERE tenant = '" + tenant + "'")
          .at(0)
          .at(0));
}

// Microseconds per get of `keys`, each read `rounds` times in turn.
double micros_per_get(artifacts::client& c, const std::vector<artifacts::v1::Key>& keys,
                      int rounds) {
  const auto started = clock_type::now();
  size_t gets = 0;
  for (int round = 0; round < rounds; ++round) {
    for (const auto& key : keys) {
      auto blob = c.get(key);
      REQUIRE(blob);
      REQUIRE(blob->found());
      ++gets;
    }
  }
  return std::chrono::duration<double, std::micro>(clock_type::now() - started).count() /
         static_cast<double>(gets);
}

}  // namespace

TEST_CASE("reads through a lagging standby find every put at once, and a miss asks the primary",
          "[postgres][standby]") {
  replication_pair pair{{/*synchronous=*/false, /*apply_delay=*/3s}};
  // The store's schema, made on the primary, reaches the standby before a
  // store reads from it: a read DSN whose server holds no artifacts table
  // is refused.
  auto primary_only = artifacts::scenarios::make_local_fixture(
      config_on(pair.primary_dsn("as-reads-primary-only"), ""));
  const auto replayed = clock_type::now() + 30s;
  while (pair.query(pair.standby_port(), "SELECT to_regclass('artifacts_blobs') IS NOT NULL")
             .at(0)
             .at(0) != "t") {
    REQUIRE(clock_type::now() < replayed);
    std::this_thread::sleep_for(50ms);
  }
  auto store = artifacts::scenarios::make_local_fixture(
      config_on(pair.primary_dsn("as-reads"), pair.standby_dsn("as-reads-standby")));
  auto& c = store->client();
  const auto scope = make_scope("reads", "u", "s");

  // Each put is read back at once, while the standby, 3 s behind, does not
  // hold it yet.
  std::vector<artifacts::v1::Key> keys;
  for (int i = 0; i < 20; ++i) {
    const std::string data = "read your writes " + std::to_string(i);
    auto ref = c.put(put_request(scope, data));
    REQUIRE(ref);
    const auto key = make_key(*ref);
    keys.push_back(key);
    auto blob = c.get(key);
    REQUIRE(blob);
    CHECK(blob->found());
    CHECK(blob->data() == data);
    auto found_ref = c.get_ref(key);
    REQUIRE(found_ref);
    CHECK(found_ref->found());
    CHECK(found_ref->ref().sha256() == ref->sha256());
    auto exists = c.exists(key);
    REQUIRE(exists);
    CHECK(*exists);
    auto range = c.get_range(key, 5, 4);
    REQUIRE(range);
    CHECK(range->data() == data.substr(5, 4));
  }
  CHECK(rows_of_tenant(pair, pair.standby_port(), "reads") < 20);
  auto missing = c.get(make_key(scope, "never-stored"));
  REQUIRE(missing);
  CHECK_FALSE(missing->found());

  // Once the standby has replayed them, it serves them.
  const auto deadline = clock_type::now() + 30s;
  while (rows_of_tenant(pair, pair.standby_port(), "reads") < 20) {
    REQUIRE(clock_type::now() < deadline);
    std::this_thread::sleep_for(50ms);
  }
  const double with_standby = micros_per_get(c, keys, 50);
  const double primary_alone = micros_per_get(primary_only->client(), keys, 50);
  WARN("1 000 gets of 20 small artifacts, one caller: "
       << with_standby << " us each through the standby, " << primary_alone
       << " us each from the primary alone");
  CHECK_FALSE(primary_only->close());

  // With the primary down, what the standby holds is still served, and
  // what it does not hold is unavailable rather than not found: only the
  // primary may say that an artifact is not there.
  pair.crash_primary();
  for (const auto& key : keys) {
    auto blob = c.get(key);
    REQUIRE(blob);
    CHECK(blob->found());
    CHECK(blob->data().rfind("read your writes ", 0) == 0);
  }
  auto unknown = c.get(make_key(scope, "never-stored"));
  REQUIRE_FALSE(unknown);
  CHECK(artifacts::code_of(unknown.error()) == errc::unavailable);
  CHECK_FALSE(store->close());
}

TEST_CASE("a read DSN is refused beside a store that is not PostgreSQL", "[postgres][standby]") {
  artifacts::store_config config = config_on("memory:", "host=127.0.0.1 port=1");
  CHECK_THROWS_WITH(artifacts::scenarios::make_local_fixture(config),
                    Catch::Matchers::Contains("a read DSN names a PostgreSQL server"));
}
