// A store on a PostgreSQL primary with a synchronous standby, the primary
// crashed under writers and the standby promoted: the store's DSN names
// both servers, its workers reconnect to whichever accepts writes, and no
// put it acknowledged is lost (docs/scaling.md).

#include <chrono>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include <artifact_store/store_config.hpp>

#include "scenarios/concurrent_callers.hpp"
#include "scenarios/local_fixture.hpp"
#include "scenarios/polling.hpp"
#include "scenarios/put_ledger.hpp"
#include "scenarios/put_writers.hpp"
#include "scenarios/replication_pair.hpp"

namespace {

using namespace std::chrono_literals;
using artifacts::scenarios::failure_log;
using artifacts::scenarios::poll_until;
using artifacts::scenarios::put_ledger;
using artifacts::scenarios::replication_pair;
using artifacts::scenarios::seconds;
using artifacts::scenarios::writers;
using clock_type = std::chrono::steady_clock;

}  // namespace

TEST_CASE(
    "no acknowledged put is lost when the primary crashes under 8 writers and its "
    "synchronous standby is promoted",
    "[postgres][failover]") {
  replication_pair pair;
  artifacts::store_config config;
  config.storage.dsn = pair.failover_dsn("as-failover");
  config.storage.connect_timeout = 2s;
  config.storage.statement_timeout = 2s;
  config.pool_size = 4;
  config.request_timeout = 10s;
  config.close_timeout = 10s;
  auto store = artifacts::scenarios::make_local_fixture(config);
  auto& c = store->client();
  const std::string label = "failover";

  put_ledger ledger;
  {
    writers load{c, 8, label};
    REQUIRE(poll_until([&] { return load.acknowledged() >= 200; }, 60s));
    pair.crash_primary();
    const auto crashed = clock_type::now();
    // Whatever notices the crash (an operator, a failover manager) takes a
    // moment; the writers meanwhile meet a store with no primary.
    std::this_thread::sleep_for(500ms);
    pair.promote_standby();
    const auto promoted = clock_type::now();
    const bool every_writer_served =
        poll_until([&] { return load.writers_served_after(promoted) == 8; }, 30s);
    const auto all_served = clock_type::now();
    // Some more puts on the new primary, so that the check below covers
    // puts made wholly after the failover.
    const size_t at_all_served = load.acknowledged();
    CHECK(poll_until([&] { return load.acknowledged() >= at_all_served + 100; }, 30s));
    load.stop();

    const auto summary = artifacts::scenarios::summarize(load.outcomes());
    const auto back = load.first_success_after(promoted);
    const auto before_crash = load.acknowledged_before(crashed);
    WARN("failover: " << before_crash << " puts acknowledged before the crash, "
                      << summary.acknowledged << " in all, " << summary.unavailable
                      << " answered unavailable (" << summary.timed_out
                      << " of them at the client's timeout); the promotion took "
                      << seconds(promoted - crashed) << " s after the crash; the first put "
                      << "begun after it was acknowledged "
                      << (back == clock_type::time_point::max() ? -1.0 : seconds(back - promoted))
                      << " s after it, every writer within " << seconds(all_served - promoted)
                      << " s; slowest call " << summary.slowest.count() << " ms");
    INFO("other failures: " << (summary.other_failures.empty() ? std::string("none")
                                                               : summary.other_failures.front()));
    CHECK(summary.other_failures.empty());
    CHECK(summary.unavailable > 0);
    CHECK(every_writer_served);
    REQUIRE(back != clock_type::time_point::max());
    CHECK(back - promoted <= 2s);
    CHECK(summary.acknowledged > before_crash);
    artifacts::scenarios::record(ledger, load.outcomes(), label);
  }

  // Every put acknowledged before, during and after the failover is on the
  // new primary with its ref and its bytes, read through a store opened on
  // it afresh and in the table; every other row is a put answered
  // unavailable. (The first store's workers that served no put since the
  // promotion still wait out their reconnect backoff, up to a second, and
  // answer unavailable until then.)
  CHECK_FALSE(store->close());
  auto reader = artifacts::scenarios::make_local_fixture(config);
  failure_log served;
  failure_log rows;
  ledger.check_served(reader->client(), served);
  const auto found = ledger.check_rows(
      [&](const std::string& sql) { return pair.query(pair.standby_port(), sql); }, rows);
  INFO("read back through the store: " << served.summary());
  INFO("rows: " << rows.summary());
  CHECK(served.count() == 0);
  CHECK(rows.count() == 0);
  CHECK(found.acknowledged == ledger.acknowledged_artifacts());
  CHECK(found.rows == found.acknowledged + found.unknown);
  CHECK_FALSE(reader->close());
}
