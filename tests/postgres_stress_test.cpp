// PostgreSQL under load: many threads through one store, and identical puts
// from many threads and from several stores sharing one database.
#include <atomic>
#include <csignal>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <artifact_store/error.hpp>

#include "scenarios/concurrent_callers.hpp"
#include "scenarios/local_fixture.hpp"
#include "scenarios/postgres_schema.hpp"
#include "scenarios/put_ledger.hpp"
#include "scenarios/scenario_support.hpp"

namespace {

using artifacts::scenarios::failure_log;
using artifacts::scenarios::make_key;
using artifacts::scenarios::make_scope;
using artifacts::scenarios::put_ledger;
using artifacts::scenarios::put_request;
using artifacts::scenarios::run_together;

[[maybe_unused]] const bool sigpipe_ignored = [] {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();

std::unique_ptr<artifacts::scenarios::store_fixture> open_store_in(
    const std::shared_ptr<artifacts::testing::temporary_schema>& schema, size_t pool_size) {
  artifacts::store_config config;
  config.storage.dsn = schema->dsn("artifact-store-stress");
  config.pool_size = pool_size;
  return artifacts::scenarios::make_local_fixture(config, {}, schema);
}

std::string identical_payload() {
  std::string data;
  for (int i = 0; data.size() < 128 * 1024; ++i) {
    data += "identical stress payload " + std::to_string(i) + "\n";
  }
  return data;
}

// 64 writers put the same bytes into one scope, writer t through
// stores[t % stores.size()], all in `schema`. Checks that every put
// succeeded with one and the same ref, and that the store holds exactly that
// artifact: listed once with that ref, its bytes those put, and one row in
// the table whose bytes hash to its digest. (The primary key alone would
// keep a second row of the same id out; a put that answered another ref
// than the one stored, or a writer that stored the bytes under another key,
// would not be.)
void check_identical_puts_leave_one_row(
    const artifacts::testing::temporary_schema& schema,
    const std::vector<std::unique_ptr<artifacts::scenarios::store_fixture>>& stores) {
  const auto scope = make_scope("stress", "alice", "session", "task");
  const auto data = identical_payload();
  failure_log failures;
  std::vector<artifacts::v1::ArtifactRef> refs(64);

  run_together(64, [&](int t) {
    auto ref =
        stores[static_cast<size_t>(t) % stores.size()]->client().put(put_request(scope, data));
    if (!ref) {
      failures.add("writer " + std::to_string(t) + ": " + artifacts::describe(ref.error()));
      return;
    }
    refs[static_cast<size_t>(t)] = std::move(*ref);
  });

  INFO("failures: " << failures.summary());
  REQUIRE(failures.count() == 0);
  put_ledger ledger;
  for (const auto& ref : refs) {
    CHECK(ref.id() == refs[0].id());
    ledger.acknowledged(put_request(scope, data), ref);
  }
  CHECK(refs[0].sha256() == artifacts::scenarios::sha256_of(data));
  // Read back through every store, and behind them in the table.
  for (const auto& store : stores) {
    failure_log served;
    ledger.check_served(store->client(), served, 1);
    INFO("read back: " << served.summary());
    CHECK(served.count() == 0);
    const auto listed = artifacts::scenarios::list_all(store->client(), scope);
    REQUIRE(listed.size() == 1);
    CHECK_SAME(listed.front(), refs[0]);
  }
  failure_log rows;
  const auto found = ledger.check_rows(schema, rows);
  INFO("rows: " << rows.summary());
  CHECK(rows.count() == 0);
  CHECK(found.rows == 1);
  CHECK(found.acknowledged == 1);
  CHECK(schema.stored_artifacts() == 1);
}

}  // namespace

TEST_CASE("64 threads by 8 rounds of put get and delete", "[postgres][stress]") {
  auto schema = std::make_shared<artifacts::testing::temporary_schema>();
  auto store = open_store_in(schema, 8);
  auto& c = store->client();
  failure_log failures;
  std::atomic<int> completed{0};

  run_together(64, [&](int t) {
    const auto scope = make_scope("stress", "user-" + std::to_string(t), "session");
    for (int r = 0; r < 8; ++r) {
      const auto where = "thread " + std::to_string(t) + " round " + std::to_string(r) + ": ";
      const auto data = where + std::string(static_cast<size_t>(1000 + t * 17 + r), 'a' + t % 26);
      auto ref = c.put(put_request(scope, data));
      if (!ref) {
        failures.add(where + "put: " + artifacts::describe(ref.error()));
        continue;
      }
      const auto key = make_key(scope, ref->id());
      if (ref->sha256() != artifacts::scenarios::sha256_of(data) ||
          ref->size_bytes() != static_cast<int64_t>(data.size())) {
        failures.add(where + "put answered the digest or size of other bytes");
      }
      auto stored = c.get_ref(key);
      if (!stored) {
        failures.add(where + "get_ref: " + artifacts::describe(stored.error()));
      } else if (!stored->found() || !artifacts::scenarios::same(stored->ref(), *ref)) {
        failures.add(where + "get_ref returned another ref than the put");
      }
      auto blob = c.get(key);
      if (!blob) {
        failures.add(where + "get: " + artifacts::describe(blob.error()));
      } else if (!blob->found() || blob->data() != data) {
        failures.add(where + "get returned other bytes");
      }
      auto removed = c.remove(key);
      if (!removed || !*removed) {
        failures.add(where +
                     "delete: " + (removed ? "false" : artifacts::describe(removed.error())));
        continue;
      }
      auto after = c.get(key);
      if (!after || after->found()) {
        failures.add(where + "get after delete: " +
                     (after ? "still found" : artifacts::describe(after.error())));
      }
      ++completed;
    }
  });

  INFO("failures: " << failures.summary());
  CHECK(failures.count() == 0);
  CHECK(completed.load() == 64 * 8);
  CHECK(schema->stored_artifacts() == 0);
}

TEST_CASE("64 threads putting identical bytes leave one row", "[postgres][stress]") {
  auto schema = std::make_shared<artifacts::testing::temporary_schema>();
  std::vector<std::unique_ptr<artifacts::scenarios::store_fixture>> stores;
  stores.push_back(open_store_in(schema, 8));
  check_identical_puts_leave_one_row(*schema, stores);
}

TEST_CASE("64 threads putting identical bytes through four stores leave one row",
          "[postgres][stress]") {
  // Four stores on one database stand for four nodes: identical puts meet in
  // the database, not in one worker.
  auto schema = std::make_shared<artifacts::testing::temporary_schema>();
  std::vector<std::unique_ptr<artifacts::scenarios::store_fixture>> stores;
  for (int i = 0; i < 4; ++i) {
    stores.push_back(open_store_in(schema, 4));
  }
  check_identical_puts_leave_one_row(*schema, stores);
}
