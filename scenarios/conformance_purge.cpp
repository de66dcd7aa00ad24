// Purge by scope and usage: what they count, what they remove, and a purge
// racing with puts.
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "scenarios/scenario_catalog.hpp"
#include "scenarios/test_clock.hpp"

namespace artifacts::scenarios {

namespace {

using namespace std::chrono_literals;

std::unique_ptr<store_fixture> store_on(const store_factory& make, const test_clock& clock,
                                        store_config tweaks = {}) {
  tweaks.storage.clock = clock.as_wall_clock();
  tweaks.sweep_interval = std::chrono::milliseconds::zero();
  return make(tweaks);
}

// Puts `data` into `scope` and returns its size.
uint64_t put_sized(client& c, const v1::Scope& scope, const std::string& data) {
  REQUIRE_VALUE(c.put(put_request(scope, data)));
  return data.size();
}

void check_usage(client& c, const v1::Scope& filter, uint64_t count, uint64_t bytes) {
  INFO("usage of " << filter.ShortDebugString());
  auto usage = REQUIRE_VALUE(c.usage(filter));
  CHECK(usage.count() == count);
  CHECK(usage.bytes() == bytes);
}

void usage_counts_live_artifacts_by_scope(const store_factory& make) {
  test_clock clock;
  auto store = store_on(make, clock);
  auto& c = store->client();
  const auto alice_1 = make_scope("acme", "alice", "s-1");
  const auto alice_1_task = make_scope("acme", "alice", "s-1", "t-1");
  const auto alice_2 = make_scope("acme", "alice", "s-2");
  const auto bob = make_scope("acme", "bob", "s-1");
  const auto other = make_scope("acme-2", "alice", "s-1");
  const auto a1 = put_sized(c, alice_1, "one") + put_sized(c, alice_1, "two two");
  const auto a1t = put_sized(c, alice_1_task, "in a task");
  const auto a2 = put_sized(c, alice_2, "second session");
  const auto b = put_sized(c, bob, "bob's");
  put_sized(c, other, "another tenant, whose name the first one's starts");
  // Re-puts and the same bytes in another namespace.
  put_sized(c, alice_1, "one");
  REQUIRE_VALUE(c.put(put_request(alice_1, "one", "elsewhere")));
  auto expiring = put_request(alice_2, "expiring");
  expiring.mutable_ttl()->set_seconds(60);
  REQUIRE_VALUE(c.put(expiring));

  const auto tenant = make_scope("acme", "", "");
  check_usage(c, tenant, 7, a1 + 3 + a1t + a2 + 8 + b);
  check_usage(c, make_scope("acme", "alice", ""), 6, a1 + 3 + a1t + a2 + 8);
  check_usage(c, alice_1, 4, a1 + 3 + a1t);
  check_usage(c, alice_1_task, 1, a1t);
  check_usage(c, make_scope("acme", "", "s-1"), 5, a1 + 3 + a1t + b);
  check_usage(c, make_scope("acme", "", "", "t-1"), 1, a1t);
  check_usage(c, make_scope("nobody", "", ""), 0, 0);
  // Expiry and deletes count at once.
  clock.advance(61s);
  check_usage(c, tenant, 6, a1 + 3 + a1t + a2 + b);
  auto removed = REQUIRE_VALUE(c.list(list_request(bob)));
  REQUIRE(removed.refs_size() == 1);
  REQUIRE_VALUE(c.remove(make_key(removed.refs(0))));
  check_usage(c, tenant, 5, a1 + 3 + a1t + a2);
}

void purge_removes_a_scope_and_nothing_else(const store_factory& make) {
  test_clock clock;
  store_config tweaks;
  tweaks.storage.delete_batch = 3;  // several batches
  auto store = store_on(make, clock, tweaks);
  auto& c = store->client();
  const auto session = make_scope("acme", "alice", "s-1");
  uint64_t bytes = 0;
  for (int i = 0; i < 8; ++i) {
    const auto scope = i % 2 == 0 ? session : make_scope("acme", "alice", "s-1", "t-1");
    bytes += put_sized(c, scope, "session artifact " + std::to_string(i));
  }
  auto expired = put_request(session, "expired already");
  expired.mutable_ttl()->set_seconds(1);
  REQUIRE_VALUE(c.put(expired));
  clock.advance(2s);
  const auto next_session = make_scope("acme", "alice", "s-10");
  put_sized(c, next_session, "next session");
  put_sized(c, make_scope("acme", "bob", "s-1"), "bob's");
  put_sized(c, make_scope("acme-2", "alice", "s-1"), "other tenant");

  auto purged = REQUIRE_VALUE(c.purge(session));
  CHECK(purged.deleted() == 8);
  CHECK(purged.bytes() == bytes);
  check_usage(c, session, 0, 0);
  CHECK(list_all(c, session).empty());
  CHECK(list_all(c, v1::Scope{}).size() == 3);
  auto again = REQUIRE_VALUE(c.purge(session));
  CHECK(again.deleted() == 0);
  CHECK(again.bytes() == 0);
  // The expired artifact's row went too: a sweep finds nothing.
  CHECK(REQUIRE_VALUE(c.sweep()).deleted() == 0);

  auto everything = REQUIRE_VALUE(c.purge(make_scope("acme", "", "")));
  CHECK(everything.deleted() == 2);
  CHECK(list_all(c, v1::Scope{}).size() == 1);
}

void purge_and_usage_need_a_tenant(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  CHECK_ERROR(c.purge(make_scope("", "alice", "s-1")), errc::identity_required);
  CHECK_ERROR(c.usage(v1::Scope{}), errc::identity_required);
  CHECK_ERROR(c.usage(make_scope(std::string("ac\0me", 5), "", "")), errc::invalid_argument);
  CHECK_ERROR(c.purge(make_scope("acme", std::string(300, 'u'), "")), errc::invalid_argument);
}

// Puts into a scope from several threads while it is purged: afterwards
// every artifact is stored whole or not at all.
void a_put_racing_a_purge_survives_whole_or_goes_whole(const store_factory& make) {
  store_config tweaks;
  tweaks.storage.delete_batch = 4;
  tweaks.sweep_interval = std::chrono::milliseconds::zero();
  auto store = make(tweaks);
  auto& c = store->client();
  const auto scope = make_scope("acme", "alice", "racing");
  std::atomic<bool> stop{false};
  std::mutex mtx;
  std::vector<v1::ArtifactRef> stored;
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; !stop.load() && i < 200; ++i) {
        auto ref = c.put(put_request(scope, "writer " + std::to_string(w) + " put " +
                                                std::to_string(i) + std::string(64, 'x')));
        if (ref) {
          std::lock_guard<std::mutex> guard{mtx};
          stored.push_back(*ref);
        }
      }
    });
  }
  uint64_t purged = 0;
  for (int round = 0; round < 5; ++round) {
    std::this_thread::sleep_for(2ms);
    purged += REQUIRE_VALUE(c.purge(make_scope("acme", "alice", ""))).deleted();
  }
  stop = true;
  for (auto& writer : writers) {
    writer.join();
  }
  size_t whole = 0;
  for (const auto& ref : stored) {
    auto meta = REQUIRE_VALUE(c.get_ref(make_key(ref)));
    auto blob = REQUIRE_VALUE(c.get(make_key(ref)));
    REQUIRE(meta.found() == blob.found());
    if (blob.found()) {
      CHECK(sha256_of(blob.data()) == ref.sha256());
      ++whole;
    }
  }
  CHECK(REQUIRE_VALUE(c.usage(scope)).count() == whole);
  CHECK(purged + whole == stored.size());
}

void quotas_cap_a_tenant_and_free_at_once(const store_factory& make) {
  test_clock clock;
  store_config tweaks;
  tweaks.storage.default_quota.max_count = 3;
  tweaks.storage.tenant_quotas["big"] = tenant_quota{100, 0};
  auto store = store_on(make, clock, tweaks);
  auto& c = store->client();
  const auto scope = make_scope("acme", "alice", "s-1");
  auto first = REQUIRE_VALUE(c.put(put_request(scope, "one")));
  REQUIRE_VALUE(c.put(put_request(scope, "two")));
  auto expiring = put_request(make_scope("acme", "bob", "s-2"), "three");
  expiring.mutable_ttl()->set_seconds(60);
  REQUIRE_VALUE(c.put(expiring));

  auto refused = c.put(put_request(scope, "four"));
  CHECK_ERROR(refused, errc::quota_exceeded);
  if (!refused) {
    const auto text = message_of(refused.error());
    CHECK_THAT(text, Catch::Matchers::Contains("tenant acme holds 3 artifacts"));
    CHECK_THAT(text, Catch::Matchers::Contains("quota of 3 artifacts"));
  }
  CHECK_FALSE(
      REQUIRE_VALUE(c.exists(make_key(scope, "default_" + sha256_of("four").substr(0, 12)))));
  // A re-put of stored content never fails on quota, whatever its expiry.
  auto again = put_request(scope, "one");
  again.mutable_ttl()->set_seconds(3600);
  CHECK(REQUIRE_VALUE(c.put(again)).id() == first.id());
  // Another tenant has its own count.
  REQUIRE_VALUE(c.put(put_request(make_scope("acme-2", "alice", "s-1"), "four")));
  // Expiry frees room at once, before any sweep.
  clock.advance(61s);
  REQUIRE_VALUE(c.put(put_request(scope, "four")));
  CHECK_ERROR(c.put(put_request(scope, "five")), errc::quota_exceeded);
  // So do deletes and purges.
  REQUIRE_VALUE(c.remove(make_key(first)));
  REQUIRE_VALUE(c.put(put_request(scope, "five")));
  REQUIRE_VALUE(c.purge(make_scope("acme", "", "")));
  for (const char* data : {"a", "b", "c"}) {
    REQUIRE_VALUE(c.put(put_request(scope, data)));
  }

  // A tenant's own quota replaces the default: bytes only, here.
  const auto big = make_scope("big", "u", "s");
  REQUIRE_VALUE(c.put(put_request(big, std::string(60, 'a'))));
  REQUIRE_VALUE(c.put(put_request(big, std::string(40, 'b'))));
  auto over = c.put(put_request(big, "c"));
  CHECK_ERROR(over, errc::quota_exceeded);
  if (!over) {
    CHECK_THAT(message_of(over.error()), Catch::Matchers::Contains("quota of 100 bytes"));
  }
  check_usage(c, make_scope("big", "", ""), 2, 100);
}

// Many threads put distinct artifacts into one tenant near its quota: the
// tenant never ends above it, and every put that fit was stored.
void concurrent_puts_never_pass_a_quota(const store_factory& make) {
  store_config tweaks;
  tweaks.storage.default_quota.max_count = 20;
  tweaks.sweep_interval = std::chrono::milliseconds::zero();
  auto store = make(tweaks);
  auto& c = store->client();
  for (int i = 0; i < 15; ++i) {
    REQUIRE_VALUE(c.put(put_request(make_scope("acme", "u", "s"), "before " + std::to_string(i))));
  }
  std::atomic<int> stored{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2; ++i) {
        auto ref = c.put(put_request(make_scope("acme", "u" + std::to_string(t % 3), "s"),
                                     "racing " + std::to_string(t) + "." + std::to_string(i)));
        if (ref) {
          ++stored;
        } else if (code_of(ref.error()) == errc::quota_exceeded) {
          ++refused;
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  CHECK(stored == 5);
  CHECK(refused == 27);
  CHECK(REQUIRE_VALUE(c.usage(make_scope("acme", "", ""))).count() == 20);
}

}  // namespace

std::vector<scenario> purge_scenarios() {
  return {
      {"usage counts live artifacts by scope", usage_counts_live_artifacts_by_scope},
      {"purge removes a scope and nothing else, in batches",
       purge_removes_a_scope_and_nothing_else},
      {"purge and usage need a tenant and valid fields", purge_and_usage_need_a_tenant},
      {"a put racing a purge survives whole or goes whole",
       a_put_racing_a_purge_survives_whole_or_goes_whole},
      {"quotas cap a tenant, and expiry, deletes and purges free room at once",
       quotas_cap_a_tenant_and_free_at_once},
      {"concurrent puts never take a tenant over its quota", concurrent_puts_never_pass_a_quota},
  };
}

}  // namespace artifacts::scenarios
