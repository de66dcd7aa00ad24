// Many threads at once.
#include <atomic>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/concurrent_callers.hpp"
#include "scenarios/load_scale.hpp"
#include "scenarios/scenario_catalog.hpp"
#include "storage/artifact_id.hpp"

namespace artifacts::scenarios {

namespace {

void concurrent_operations(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  constexpr int thread_count = 128;
  // Rounds 0 to 2 already vary session, task and namespace.
  constexpr int rounds = load_volume(12, 3);
  failure_log failures;
  std::atomic<int> completed_rounds{0};

  run_together(thread_count, [&](int t) {
    for (int r = 0; r < rounds; ++r) {
      const auto where = "thread " + std::to_string(t) + " round " + std::to_string(r) + ": ";
      const auto scope = make_scope("tenant-" + std::to_string(t % 8), "user-" + std::to_string(t),
                                    "session-" + std::to_string(r % 3),
                                    r % 2 == 0 ? "" : "task-" + std::to_string(r));
      const auto ns = r % 4 == 0 ? std::string() : "ns-" + std::to_string(r % 4);
      const auto data = where + std::string(static_cast<size_t>(t * 13 + r), 'x');

      auto ref = c.put(put_request(scope, data, ns));
      if (!ref) {
        failures.add(where + "put: " + describe(ref.error()));
        continue;
      }
      const auto key = make_key(scope, ref->id());
      auto blob = c.get(key);
      if (!blob) {
        failures.add(where + "get: " + describe(blob.error()));
      } else if (!blob->found() || blob->data() != data) {
        failures.add(where + "get returned other bytes");
      }
      auto listed = c.list(list_request(scope));
      if (!listed) {
        failures.add(where + "list: " + describe(listed.error()));
      } else {
        bool seen = false;
        for (const auto& listed_ref : listed->refs()) {
          seen = seen || listed_ref.id() == ref->id();
        }
        if (!seen) {
          failures.add(where + "list misses the artifact just put");
        }
      }
      auto exists = c.exists(key);
      if (!exists || !*exists) {
        failures.add(where + "exists: " + (exists ? "false" : describe(exists.error())));
      }
      auto removed = c.remove(key);
      if (!removed || !*removed) {
        failures.add(where + "delete: " + (removed ? "false" : describe(removed.error())));
      }
      ++completed_rounds;
    }
  });

  INFO("failures: " << failures.summary());
  CHECK(failures.count() == 0);
  CHECK(completed_rounds.load() == thread_count * rounds);
  // Every thread deleted what it put.
  CHECK(list_all(c, v1::Scope{}).empty());
}

void concurrent_identical_puts(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  constexpr int thread_count = 16;
  const auto scope = make_scope("acme", "alice", "session-1", "task-1");
  std::string data;
  for (int i = 0; data.size() < 256 * 1024; ++i) {
    data += "identical payload line " + std::to_string(i) + "\n";
  }
  failure_log failures;
  std::vector<v1::ArtifactRef> refs(thread_count);

  run_together(thread_count, [&](int t) {
    // Different metadata per writer: whichever wins, all must see its ref.
    auto request = put_request(scope, data);
    request.set_filename("writer-" + std::to_string(t) + ".txt");
    auto ref = c.put(request);
    if (!ref) {
      failures.add("writer " + std::to_string(t) + ": " + describe(ref.error()));
      return;
    }
    refs[static_cast<size_t>(t)] = std::move(*ref);
  });

  INFO("failures: " << failures.summary());
  REQUIRE(failures.count() == 0);
  for (const auto& ref : refs) {
    CHECK(ref.id() == refs[0].id());
    CHECK_SAME(ref, refs[0]);
  }
  CHECK(refs[0].sha256() == sha256_of(data));
  auto listed = list_all(c, v1::Scope{});
  REQUIRE(listed.size() == 1);
  CHECK_SAME(listed[0], refs[0]);
  CHECK(REQUIRE_VALUE(c.get(make_key(scope, refs[0].id()))).data() == data);
}

// Requests that reach one worker together are served together (a batch of
// puts, a batch of gets); each must still get exactly its own answer.
void one_worker_many_outcomes(const store_factory& make) {
  store_config tweaks;
  tweaks.pool_size = 1;
  tweaks.storage.make_id = [](std::string_view ns, std::string_view digest) {
    return ns == "clash" ? std::string("clash_000000000000") : standard_artifact_id(ns, digest);
  };
  auto store = make(tweaks);
  auto& c = store->client();
  constexpr int thread_count = 64;
  constexpr int rounds = 4;
  const auto scope = make_scope("acme", "alice", "session-1");
  const std::string shared = "the same bytes from every writer";
  failure_log failures;
  std::atomic<int> clash_stored{0};
  std::atomic<int> clash_refused{0};

  run_together(thread_count, [&](int t) {
    for (int r = 0; r < rounds; ++r) {
      const auto where = "writer " + std::to_string(t) + " round " + std::to_string(r) + ": ";
      const auto unique = where + "unique bytes";
      switch (t % 4) {
        case 0: {  // identical bytes: one row, one ref for all
          auto ref = c.put(put_request(scope, shared));
          if (!ref || ref->sha256() != sha256_of(shared)) {
            failures.add(where + "identical put: " + (ref ? "wrong ref" : describe(ref.error())));
          }
          break;
        }
        case 1: {  // new bytes, read back at once
          auto ref = c.put(put_request(scope, unique));
          if (!ref) {
            failures.add(where + "put: " + describe(ref.error()));
            break;
          }
          auto blob = c.get(make_key(scope, ref->id()));
          if (!blob || !blob->found() || blob->data() != unique) {
            failures.add(where + "get did not return the bytes just put");
          }
          break;
        }
        case 2: {  // every content under one id: only the first is stored
          auto ref = c.put(put_request(scope, unique, "clash"));
          if (ref) {
            ++clash_stored;
          } else if (code_of(ref.error()) == errc::hash_collision) {
            ++clash_refused;
          } else {
            failures.add(where + "clashing put: " + describe(ref.error()));
          }
          break;
        }
        default: {  // a digest that does not match: refused, alone
          auto request = put_request(scope, unique);
          request.set_sha256(std::string(64, 'a'));
          auto ref = c.put(request);
          if (ref || code_of(ref.error()) != errc::invalid_argument) {
            failures.add(where + "a wrong digest was not refused as invalid_argument");
          }
          break;
        }
      }
    }
  });

  INFO("failures: " << failures.summary());
  CHECK(failures.count() == 0);
  CHECK(clash_stored.load() == 1);
  CHECK(clash_refused.load() == thread_count / 4 * rounds - 1);
  // The shared bytes, one row per writer-1 round, and the clash winner.
  CHECK(list_all(c, scope).size() == 1 + thread_count / 4 * rounds + 1);
}

}  // namespace

std::vector<scenario> concurrency_scenarios() {
  return {
      {"128 threads by 12 rounds of mixed operations over many scopes", concurrent_operations},
      {"16 threads putting identical bytes into one scope leave one row",
       concurrent_identical_puts},
      {"64 callers on one worker each get their own outcome", one_worker_many_outcomes},
  };
}

}  // namespace artifacts::scenarios
