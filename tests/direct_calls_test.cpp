// The direct call path of a local store's blocking client: each call goes
// to the worker that the supervisor's published routing table names, is
// admitted against the store's in-flight bound by the client itself, and
// falls back to the supervisor when there is no table or its worker is gone.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <catch2/catch.hpp>

#include <artifact_store/client.hpp>
#include <artifact_store/configure.hpp>
#include <artifact_store/direct_request.hpp>
#include <artifact_store/error.hpp>
#include <artifact_store/store.hpp>

#include "actors/in_flight.hpp"
#include "actors/routing.hpp"
#include "actors/supervisor.hpp"
#include "actors/worker_routes.hpp"
#include "scenarios/instrumented_driver.hpp"
#include "scenarios/requests.hpp"
#include "scenarios/test_system.hpp"
#include "storage/driver.hpp"

namespace {

using namespace std::chrono_literals;
using namespace artifacts;
using artifacts::testing::instrumented_driver;

using scenarios::test_system;

// A store over the instrumented memory driver in an actor system of its
// own, whose routing table the test holds too, so that it can read what the
// supervisor publishes and publish a table of its own.
struct direct_store {
  test_system t;
  store_config config;
  std::shared_ptr<instrumented_driver> storage;
  std::shared_ptr<worker_routes> routes = std::make_shared<worker_routes>();
  store handle;

  explicit direct_store(size_t pool_size, size_t max_in_flight = store_config{}.max_in_flight)
      : config(memory_config(pool_size, max_in_flight)),
        storage(std::make_shared<instrumented_driver>(config.storage)),
        handle(start(t.sys, storage, config, routes)) {}

  static store_config memory_config(size_t pool_size, size_t max_in_flight) {
    store_config out;
    out.storage.dsn = "memory:";
    out.pool_size = pool_size;
    out.max_in_flight = max_in_flight;
    out.request_timeout = 30s;
    out.close_timeout = 30s;
    return out;
  }

  static store start(caf::actor_system& sys, std::shared_ptr<driver> storage,
                     const store_config& config, std::shared_ptr<worker_routes> routes) {
    auto closed = std::make_shared<std::atomic<bool>>(false);
    auto supervisor = spawn_supervisor(sys, std::move(storage), closed, config, routes);
    return store{std::move(supervisor), std::move(closed), config, std::move(routes)};
  }

  caf::actor_system& sys() { return t.sys; }

  // The table the supervisor published at start; waits for it, boundedly.
  std::shared_ptr<const worker_table> first_table() const {
    for (int waited = 0; waited < 1000; ++waited) {
      if (auto table = routes->current()) {
        return table;
      }
      std::this_thread::sleep_for(10ms);
    }
    return nullptr;
  }
};

struct overload_outcome {
  int stored = 0;
  int overloaded = 0;
  int other = 0;
  std::string first_other;
};

// `callers` threads each put one distinct payload through one shared client,
// all at once, against a driver that holds every call for `delay_us`.
overload_outcome put_all_at_once(size_t max_in_flight, int callers, int64_t delay_us) {
  direct_store s{2, max_in_flight};
  REQUIRE(s.first_table());
  client c{s.sys(), s.handle};
  s.storage->delay_us = delay_us;

  std::atomic<int> stored{0};
  std::atomic<int> overloaded{0};
  std::atomic<int> other{0};
  std::string first_other;
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  const auto scope = scenarios::make_scope("direct", "u", "s");
  for (int n = 0; n < callers; ++n) {
    threads.emplace_back([&, n] {
      auto request = scenarios::put_request(scope, "payload " + std::to_string(n));
      while (!go.load()) {
        std::this_thread::yield();
      }
      auto ref = c.put(std::move(request));
      if (ref) {
        ++stored;
      } else if (code_of(ref.error()) == errc::unavailable &&
                 describe(ref.error()).find("overloaded") != std::string::npos) {
        ++overloaded;
      } else if (other++ == 0) {
        first_other = describe(ref.error());
      }
    });
  }
  go = true;
  for (auto& thread : threads) {
    thread.join();
  }
  s.storage->delay_us = 0;
  CHECK_FALSE(s.handle.close(s.sys()));
  return {stored.load(), overloaded.load(), other.load(), first_other};
}

}  // namespace

TEST_CASE("a client refuses calls over the in-flight bound itself, and admits up to it",
          "[direct]") {
  // Each put holds its worker for 300 ms, so the 24 callers' puts overlap
  // and at most max_in_flight of them can be admitted at once. The client
  // sends straight to the workers, without the supervisor, so any
  // refusal here is the client's own admission.
  constexpr int callers = 24;
  constexpr int64_t held_us = 300'000;

  SECTION("a bound of 4 refuses some puts as overloaded and admits at least 4") {
    auto outcome = put_all_at_once(4, callers, held_us);
    INFO("first other error: " << outcome.first_other);
    CHECK(outcome.other == 0);
    CHECK(outcome.stored + outcome.overloaded == callers);
    CHECK(outcome.stored >= 4);
    CHECK(outcome.overloaded > 0);
  }
  SECTION("control: a bound above the callers admits every put") {
    auto outcome = put_all_at_once(callers, callers, held_us);
    INFO("first other error: " << outcome.first_other);
    CHECK(outcome.other == 0);
    CHECK(outcome.overloaded == 0);
    CHECK(outcome.stored == callers);
  }
}

TEST_CASE("a call whose worker is gone from the table is routed by the supervisor", "[direct]") {
  direct_store s{2};
  auto table = s.first_table();
  REQUIRE(table);
  client c{s.sys(), s.handle};
  const auto scope = scenarios::make_scope("gone", "u", "s");
  auto ref = c.put(scenarios::put_request(scope, "outlives its worker"));
  REQUIRE(ref);
  const auto key = scenarios::make_key(scope, ref->id());

  // A stale table, as a client may hold for a moment after a worker died:
  // the key's worker killed, its load forgotten.
  // It is published once the supervisor has published its own table with
  // the replacement, which would otherwise take its place.
  const size_t index = table->index_of(route_of(key));
  auto stale = std::make_shared<worker_table>(*table);
  auto dead_load = std::make_shared<worker_load>(std::make_shared<load_counts>());
  dead_load->forget();
  stale->loads[index] = dead_load;
  caf::anon_send_exit(stale->workers[index], caf::exit_reason::kill);
  bool replaced = false;
  for (int waited = 0; waited < 1000 && !replaced; ++waited) {
    replaced = s.routes->current() != table;
    std::this_thread::sleep_for(10ms);
  }
  REQUIRE(replaced);
  s.routes->publish(stale);

  // Sent to the dead worker, the call would fail; the supervisor has
  // replaced it and serves the key.
  auto blob = c.get(key);
  REQUIRE(blob);
  CHECK(blob->found());
  CHECK(blob->data() == "outlives its worker");
  auto again = c.put(scenarios::put_request(scope, "after the replacement"));
  REQUIRE(again);
  CHECK_FALSE(s.handle.close(s.sys()));
}

TEST_CASE("without a published table every call goes through the supervisor", "[direct]") {
  direct_store s{2, 1};
  REQUIRE(s.first_table());
  s.routes->publish(nullptr);
  client c{s.sys(), s.handle};
  const auto scope = scenarios::make_scope("no-table", "u", "s");
  auto ref = c.put(scenarios::put_request(scope, "through the supervisor"));
  REQUIRE(ref);
  auto blob = c.get(scenarios::make_key(scope, ref->id()));
  REQUIRE(blob);
  CHECK(blob->data() == "through the supervisor");
  auto missing = c.exists(scenarios::make_key(scope, "nothing_here"));
  REQUIRE(missing);
  CHECK_FALSE(*missing);
  CHECK_FALSE(s.handle.close(s.sys()));
}

TEST_CASE("close takes the routing table down", "[direct]") {
  direct_store s{2};
  REQUIRE(s.first_table());
  client c{s.sys(), s.handle};
  const auto scope = scenarios::make_scope("closing", "u", "s");
  REQUIRE(c.put(scenarios::put_request(scope, "before close")));

  CHECK_FALSE(s.handle.close(s.sys()));
  CHECK(s.routes->current() == nullptr);
  auto refused = c.put(scenarios::put_request(scope, "after close"));
  REQUIRE_FALSE(refused);
  CHECK(code_of(refused.error()) == errc::store_closed);
}

TEST_CASE("a local actor's direct request goes to the key's worker, else to the supervisor",
          "[direct]") {
  direct_store s{2};
  auto table = s.first_table();
  REQUIRE(table);
  caf::scoped_actor self{s.sys()};
  const auto scope = scenarios::make_scope("actor", "u", "s");

  auto put = verified_put::hashing(scenarios::put_request(scope, "sent by an actor"));
  const auto put_route = route_of(put.request(), s.config.storage);
  CHECK(s.handle.admit(put).address() == table->workers[table->index_of(put_route)].address());
  // admit counted that put: it must be sent, and is.
  v1::ArtifactRef ref;
  request_direct(self.ptr(), s.handle, 10s, put_atom::value, std::move(put))
      .receive([&](v1::ArtifactRef& stored) { ref = stored; },
               [&](caf::error& err) { FAIL(describe(err)); });
  REQUIRE_FALSE(ref.id().empty());
  const auto key = scenarios::make_key(scope, ref.id());

  // The worker that serves the key, by the supervisor's own route.
  caf::actor_addr served_by;
  self->request(s.handle.supervisor(), 10s, route_atom::value, key)
      .receive([&](caf::actor_addr& addr) { served_by = addr; },
               [&](caf::error& err) { FAIL(describe(err)); });
  auto target = s.handle.admit(key);
  CHECK(target.address() == served_by);
  // That admission is given back by the request it was for.
  std::string data;
  self->request(target, 10s, get_atom::value, key)
      .receive([&](v1::Blob& blob) { data = blob.data(); },
               [&](caf::error& err) { FAIL(describe(err)); });
  CHECK(data == "sent by an actor");

  data.clear();
  request_direct(self.ptr(), s.handle, 10s, get_atom::value, key)
      .receive([&](v1::Blob& blob) { data = blob.data(); },
               [&](caf::error& err) { FAIL(describe(err)); });
  CHECK(data == "sent by an actor");
  bool found = false;
  request_direct(self.ptr(), s.handle, 10s, exists_atom::value, key)
      .receive([&](bool exists) { found = exists; }, [&](caf::error& err) { FAIL(describe(err)); });
  CHECK(found);

  // Without a table in force, the supervisor takes the request.
  s.routes->publish(nullptr);
  CHECK(s.handle.admit(key).address() == s.handle.supervisor().address());
  data.clear();
  request_direct(self.ptr(), s.handle, 10s, get_atom::value, key)
      .receive([&](v1::Blob& blob) { data = blob.data(); },
               [&](caf::error& err) { FAIL(describe(err)); });
  CHECK(data == "sent by an actor");
  CHECK_FALSE(s.handle.close(s.sys()));

  // Closed: refused by the supervisor, as through store::actor().
  caf::error refused;
  request_direct(self.ptr(), s.handle, 10s, get_atom::value, key)
      .receive([](v1::Blob&) {}, [&](caf::error& err) { refused = err; });
  CHECK(refused);
}

TEST_CASE("a direct request over the in-flight bound is refused by the supervisor", "[direct]") {
  direct_store s{1, 1};
  REQUIRE(s.first_table());
  caf::scoped_actor self{s.sys()};
  const auto scope = scenarios::make_scope("bound", "u", "s");
  const auto key = scenarios::make_key(scope, "held_0000000000000000");

  // One get held in the backend fills the bound of one.
  s.storage->delay_us = 2'000'000;
  caf::scoped_actor holder{s.sys()};
  auto held_get = request_direct(holder.ptr(), s.handle, 30s, get_atom::value, key);
  bool held = false;
  for (int waited = 0; waited < 1000 && !held; ++waited) {
    held = s.storage->calls.load() > s.storage->calls_past_delay.load();
    std::this_thread::sleep_for(1ms);
  }
  REQUIRE(held);

  // The next admission finds the store at its bound: the supervisor gets
  // the request and refuses it as overloaded.
  auto target = s.handle.admit(key);
  CHECK(target.address() == s.handle.supervisor().address());
  caf::error refused;
  self->request(target, 10s, get_atom::value, key)
      .receive([](v1::Blob&) {}, [&](caf::error& err) { refused = err; });
  CHECK(code_of(refused) == errc::unavailable);
  CHECK(describe(refused).find("overloaded") != std::string::npos);

  // Once the held get is answered, its place is free again.
  held_get.receive([](v1::Blob&) {}, [](caf::error& err) { FAIL(describe(err)); });
  s.storage->delay_us = 0;
  std::string answer = "unset";
  request_direct(self.ptr(), s.handle, 10s, get_atom::value, key)
      .receive([&](v1::Blob& blob) { answer = blob.found() ? "found" : "not found"; },
               [&](caf::error& err) { answer = describe(err); });
  CHECK(answer == "not found");
  CHECK_FALSE(s.handle.close(s.sys()));
}
