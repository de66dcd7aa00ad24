// Closing the store and what it leaves behind.
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "scenarios/scenario_catalog.hpp"

namespace artifacts::scenarios {

namespace {

using Catch::Matchers::Contains;

// Runs every operation once and checks that each fails with store_closed,
// naming its operation.
void check_every_operation_closed(client& c) {
  const auto scope = make_scope("acme", "alice", "session-1");
  const auto key = make_key(scope, "default_" + sha256_of("stored before close").substr(0, 12));
  auto message = [](const auto& result) {
    return result ? std::string("(no error)") : message_of(result.error());
  };

  auto put = c.put(put_request(scope, "after close"));
  CHECK_ERROR(put, errc::store_closed);
  CHECK_THAT(message(put), Contains("put"));
  auto put_text = c.put_text(put_request(scope, "text after close"));
  CHECK_ERROR(put_text, errc::store_closed);
  CHECK_THAT(message(put_text), Contains("put"));
  auto get = c.get(key);
  CHECK_ERROR(get, errc::store_closed);
  CHECK_THAT(message(get), Contains("get"));
  auto get_ref = c.get_ref(key);
  CHECK_ERROR(get_ref, errc::store_closed);
  CHECK_THAT(message(get_ref), Contains("get_ref"));
  auto exists = c.exists(key);
  CHECK_ERROR(exists, errc::store_closed);
  CHECK_THAT(message(exists), Contains("exists"));
  auto removed = c.remove(key);
  CHECK_ERROR(removed, errc::store_closed);
  CHECK_THAT(message(removed), Contains("delete"));
  auto listed = c.list(list_request(v1::Scope{}));
  CHECK_ERROR(listed, errc::store_closed);
  CHECK_THAT(message(listed), Contains("list"));
}

void operations_after_close_fail(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  const auto scope = make_scope("acme", "alice", "session-1");
  REQUIRE_VALUE(c.put(put_request(scope, "stored before close")));
  auto closed = store->close();
  INFO("close: " << (closed ? describe(closed) : std::string("ok")));
  REQUIRE_FALSE(closed);
  check_every_operation_closed(c);
}

void close_is_idempotent(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  REQUIRE_VALUE(c.put(put_request(make_scope("acme", "alice", "session-1"), "some bytes")));
  for (int i = 0; i < 3; ++i) {
    auto closed = store->close();
    INFO("close #" << i + 1 << ": " << (closed ? describe(closed) : std::string("ok")));
    CHECK_FALSE(closed);
  }
  check_every_operation_closed(c);
  auto left = store->close_and_release();
  CHECK(left.actors == 0);
  CHECK(left.threads == 0);
  CHECK(left.connections == 0);
}

void nothing_left_after_close(const store_factory& make) {
  store_config tweaks;
  tweaks.pool_size = 4;
  auto store = make(tweaks);
  {
    auto& c = store->client();
    // Enough distinct keys that every worker serves some.
    for (int i = 0; i < 32; ++i) {
      const auto scope =
          make_scope("tenant-" + std::to_string(i % 4), "user-" + std::to_string(i), "session");
      auto ref = REQUIRE_VALUE(c.put(put_request(scope, "bytes " + std::to_string(i))));
      CHECK(REQUIRE_VALUE(c.get(make_key(scope, ref.id()))).found());
    }
    CHECK(list_all(c, v1::Scope{}).size() == 32);
    // Where connections can be counted, the count must see this store's:
    // otherwise "none left" below would prove nothing.
    if (auto connections = store->backend_connections()) {
      CHECK(*connections >= 1);
    }
  }
  auto left = store->close_and_release();
  CHECK(left.actors == 0);
  CHECK(left.threads == 0);
  CHECK(left.connections == 0);
}

void requests_racing_with_close(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  constexpr int thread_count = 16;
  // Each thread stops at its first store_closed; a store that never reports
  // one would otherwise keep it going forever.
  constexpr int max_calls_per_thread = 100000;
  std::atomic<bool> go{false};
  std::atomic<int> successes{0};
  std::atomic<int> saw_closed{0};
  std::mutex failures_mutex;
  std::vector<std::string> failures;

  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count; ++t) {
    threads.emplace_back([&, t] {
      while (!go.load()) {
        std::this_thread::yield();
      }
      const auto scope = make_scope("acme", "racer-" + std::to_string(t), "session");
      for (int i = 0; i < max_calls_per_thread; ++i) {
        auto data = "race " + std::to_string(t) + " " + std::to_string(i);
        auto ref =
            i % 2 == 0 ? c.put(put_request(scope, data)) : c.put_text(put_request(scope, data));
        caf::error err;
        if (ref) {
          auto blob = c.get(make_key(scope, ref->id()));
          if (blob) {
            ++successes;
            continue;
          }
          err = blob.error();
        } else {
          err = ref.error();
        }
        if (code_of(err) == errc::store_closed) {
          ++saw_closed;
          return;
        }
        std::lock_guard<std::mutex> guard{failures_mutex};
        failures.push_back(describe(err));
        return;
      }
    });
  }
  go = true;
  // Close once the racers are demonstrably under way (bounded: a store that
  // serves nothing fails the checks below rather than hanging here).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (successes.load() < 4 * thread_count && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  auto closed = store->close();
  for (auto& thread : threads) {
    thread.join();
  }
  INFO("close: " << (closed ? describe(closed) : std::string("ok")));
  INFO("first unexpected failure: " << (failures.empty() ? std::string("none") : failures.front()));
  CHECK_FALSE(closed);
  CHECK(successes.load() >= 4 * thread_count);
  CHECK(failures.empty());
  CHECK(saw_closed.load() == thread_count);
  check_every_operation_closed(c);
}

}  // namespace

std::vector<scenario> lifecycle_scenarios() {
  return {
      {"every operation after close fails with store_closed", operations_after_close_fail},
      {"close is idempotent", close_is_idempotent},
      {"no thread actor or connection is left after close", nothing_left_after_close},
      {"requests racing with close succeed or fail with store_closed", requests_racing_with_close},
  };
}

}  // namespace artifacts::scenarios
