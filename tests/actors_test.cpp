// The actor layer over the memory driver: routing, worker replacement,
// reconnect backoff, close, the blocking client and the scoped client.
#include <dirent.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/after.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>
#include <catch2/catch.hpp>

#include <artifact_store/client.hpp>
#include <artifact_store/configure.hpp>
#include <artifact_store/errc.hpp>
#include <artifact_store/error.hpp>
#include <artifact_store/scoped_client.hpp>
#include <artifact_store/store.hpp>

#include "actors/reconnect_backoff.hpp"
#include "actors/routing.hpp"
#include "actors/supervisor.hpp"
#include "scenarios/instrumented_driver.hpp"
#include "scenarios/test_system.hpp"
#include "storage/artifact_id.hpp"
#include "storage/memory_driver.hpp"
#include "storage/sha256.hpp"

using namespace artifacts;
using artifacts::testing::instrumented_driver;
using namespace std::chrono_literals;

namespace {

using scenarios::test_system;

size_t thread_count() {
  size_t count = 0;
  if (DIR* dir = opendir("/proc/self/task")) {
    while (auto* entry = readdir(dir)) {
      if (entry->d_name[0] != '.') {
        ++count;
      }
    }
    closedir(dir);
  }
  return count;
}

// Waits (boundedly) until `done` holds; returns whether it did.
template <class Predicate>
bool eventually(Predicate done, std::chrono::milliseconds bound = 10s) {
  auto deadline = std::chrono::steady_clock::now() + bound;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

store_config memory_config(size_t pool_size = 4) {
  store_config config;
  config.storage.dsn = "memory:";
  config.pool_size = pool_size;
  config.request_timeout = 10s;
  config.close_timeout = 10s;
  return config;
}

store open_memory_store(caf::actor_system& sys, size_t pool_size = 4) {
  auto opened = open_store(sys, memory_config(pool_size));
  REQUIRE(opened);
  return std::move(*opened);
}

v1::Scope make_scope(const std::string& tenant, const std::string& task = "") {
  v1::Scope scope;
  scope.set_tenant(tenant);
  scope.set_user("user");
  scope.set_session("session");
  scope.set_task(task);
  return scope;
}

v1::PutRequest make_put(const v1::Scope& scope, const std::string& data) {
  v1::PutRequest request;
  *request.mutable_scope() = scope;
  request.set_data(data);
  return request;
}

v1::Key make_key(const v1::Scope& scope, const std::string& id) {
  v1::Key key;
  *key.mutable_scope() = scope;
  key.set_id(id);
  return key;
}

caf::actor_addr route(caf::actor_system& sys, const store& s, const v1::Key& key) {
  caf::scoped_actor self{sys};
  caf::actor_addr out;
  self->request(s.supervisor(), 10s, route_atom::value, key)
      .receive([&](caf::actor_addr& addr) { out = addr; },
               [&](caf::error& err) { FAIL("route failed: " << describe(err)); });
  return out;
}

// Sends a put straight to the store's typed interface and reports the ref
// and the actor that answered it (the worker the request was delegated to).
struct direct_put {
  caf::expected<v1::ArtifactRef> ref{v1::ArtifactRef{}};
  caf::actor_addr answered_by;
};

direct_put put_directly(caf::actor_system& sys, const store& s, v1::PutRequest request) {
  caf::scoped_actor self{sys};
  direct_put out;
  self->request(s.actor(), 10s, put_atom::value, std::move(request))
      .receive(
          [&](v1::ArtifactRef& ref) {
            out.ref = std::move(ref);
            out.answered_by = caf::actor_cast<caf::actor_addr>(self->current_sender());
          },
          [&](caf::error& err) { out.ref = std::move(err); });
  return out;
}

errc code(const caf::error& err) {
  return code_of(err);
}

store open_counting_store(caf::actor_system& sys,
                          const std::shared_ptr<instrumented_driver>& storage, size_t pool_size) {
  return start_store(sys, storage, memory_config(pool_size));
}

// A store_actor that takes every request and never answers it, counting
// those it took in `received`. (The argument also keeps CAF 0.17's
// init_fun_factory off its argument-less path, which binds a reference to
// null; UndefinedBehaviorSanitizer reports it.)
store_actor spawn_silent_store(caf::actor_system& sys, std::shared_ptr<std::atomic<int>> received =
                                                           std::make_shared<std::atomic<int>>(0)) {
  return sys.spawn(
      [](store_actor::pointer self,
         std::shared_ptr<std::atomic<int>> taken) -> store_actor::behavior_type {
        return {
            [self, taken](put_atom, v1::PutRequest&) -> caf::result<v1::ArtifactRef> {
              ++*taken;
              return self->make_response_promise<v1::ArtifactRef>();
            },
            [self, taken](get_atom, v1::Key&) -> caf::result<v1::Blob> {
              ++*taken;
              return self->make_response_promise<v1::Blob>();
            },
            [self, taken](get_ref_atom, v1::Key&) -> caf::result<v1::RefResult> {
              ++*taken;
              return self->make_response_promise<v1::RefResult>();
            },
            [self, taken](exists_atom, v1::Key&) -> caf::result<bool> {
              ++*taken;
              return self->make_response_promise<bool>();
            },
            [self, taken](delete_atom, v1::Key&) -> caf::result<bool> {
              ++*taken;
              return self->make_response_promise<bool>();
            },
            [self, taken](list_atom, v1::ListRequest&) -> caf::result<v1::RefList> {
              ++*taken;
              return self->make_response_promise<v1::RefList>();
            },
        };
      },
      std::move(received));
}

}  // namespace

TEST_CASE("open_store refuses a pool of zero and a bad DSN") {
  test_system t;
  auto config = memory_config(0);
  auto no_pool = open_store(t.sys, config);
  REQUIRE_FALSE(no_pool);
  CHECK(code(no_pool.error()) == errc::internal);

  config.pool_size = 2;
  config.storage.dsn = "";
  auto empty = open_store(t.sys, config);
  REQUIRE_FALSE(empty);
  CHECK(code(empty.error()) == errc::invalid_argument);

  config.storage.dsn = "nosuch://x";
  auto unknown = open_store(t.sys, config);
  REQUIRE_FALSE(unknown);
  CHECK(code(unknown.error()) == errc::unknown_driver);
  CHECK(t.sys.registry().running() == 0);
}

TEST_CASE("one key always meets one worker") {
  test_system t;
  auto s = open_memory_store(t.sys);
  auto scope = make_scope("routing");

  auto first = route(t.sys, s, make_key(scope, "default_0123456789ab"));
  auto second = route(t.sys, s, make_key(scope, "default_0123456789ab"));
  CHECK(first);
  CHECK(first == second);

  // Puts with and without a supplied digest land on the worker that serves
  // the artifact's key.
  for (int i = 0; i < 16; ++i) {
    auto data = "payload " + std::to_string(i);
    auto with_digest = make_put(scope, data);
    with_digest.set_sha256(sha256_hex(data));
    auto hashed = put_directly(t.sys, s, with_digest);
    REQUIRE(hashed.ref);
    auto home = route(t.sys, s, make_key(scope, hashed.ref->id()));
    CHECK(hashed.answered_by == home);

    auto unhashed = put_directly(t.sys, s, make_put(scope, data));
    REQUIRE(unhashed.ref);
    CHECK(unhashed.ref->id() == hashed.ref->id());
    CHECK(unhashed.answered_by == home);
  }
  REQUIRE_FALSE(s.close(t.sys));
}

TEST_CASE("the route of a put is the route of its artifact's key") {
  storage_options options;
  auto scope = make_scope("t", "task");
  auto request = make_put(scope, "bytes");
  request.set_namespace_("docs");
  request.set_sha256(sha256_hex("bytes"));
  auto id = standard_artifact_id("docs", request.sha256());
  CHECK(put_route_id(request, options) == id);
  CHECK(route_of(request, options) == route_of(make_key(scope, id)));
  // Moving bytes between fields moves the route.
  CHECK(route_hash(make_scope("ab"), "c") != route_hash(make_scope("a"), "bc"));
}

TEST_CASE("a put without a digest sent to the typed actor is hashed and served") {
  test_system t;
  auto s = open_memory_store(t.sys, 3);
  auto scope = make_scope("direct");
  auto put = put_directly(t.sys, s, make_put(scope, "no digest given"));
  REQUIRE(put.ref);
  CHECK(put.ref->sha256() == sha256_hex("no digest given"));
  CHECK(put.ref->id() == standard_artifact_id("default", put.ref->sha256()));

  caf::scoped_actor self{t.sys};
  caf::actor_addr get_worker;
  self->request(s.actor(), 10s, get_atom::value, make_key(scope, put.ref->id()))
      .receive(
          [&](v1::Blob& blob) {
            CHECK(blob.found());
            CHECK(blob.data() == "no digest given");
            get_worker = caf::actor_cast<caf::actor_addr>(self->current_sender());
          },
          [&](caf::error& err) { FAIL(describe(err)); });
  CHECK(get_worker == put.answered_by);
  REQUIRE_FALSE(s.close(t.sys));
}

TEST_CASE("a verified put from a local actor is routed by its digest and stored") {
  test_system t;
  auto s = open_memory_store(t.sys, 3);
  auto scope = make_scope("verified");
  auto request = make_put(scope, "hashed by the sender");
  request.set_sha256(sha256_hex("something else"));
  // The factory hashes the data; a digest the request carried is replaced.
  auto put = verified_put::hashing(request);
  CHECK(put.request().sha256() == sha256_hex("hashed by the sender"));

  caf::scoped_actor self{t.sys};
  auto supervisor = caf::actor_cast<store_supervisor_actor>(s.actor());
  std::optional<v1::ArtifactRef> stored;
  caf::actor_addr put_worker;
  self->request(supervisor, 10s, put_atom::value, std::move(put))
      .receive(
          [&](v1::ArtifactRef& ref) {
            stored = std::move(ref);
            put_worker = caf::actor_cast<caf::actor_addr>(self->current_sender());
          },
          [&](caf::error& err) { FAIL(describe(err)); });
  REQUIRE(stored);
  CHECK(stored->sha256() == sha256_hex("hashed by the sender"));
  CHECK(stored->id() == standard_artifact_id("default", stored->sha256()));
  self->request(supervisor, 10s, route_atom::value, make_key(scope, stored->id()))
      .receive([&](caf::actor_addr& worker) { CHECK(worker == put_worker); },
               [&](caf::error& err) { FAIL(describe(err)); });
  client c{t.sys, s};
  auto blob = c.get(make_key(scope, stored->id()));
  REQUIRE(blob);
  CHECK(blob->data() == "hashed by the sender");
  REQUIRE_FALSE(s.close(t.sys));
}

TEST_CASE("a put with a wrong digest is invalid_argument") {
  test_system t;
  auto s = open_memory_store(t.sys);
  {
    client c{t.sys, s};
    auto request = make_put(make_scope("digest"), "the bytes");
    request.set_sha256(sha256_hex("other bytes"));
    auto ref = c.put(request);
    REQUIRE_FALSE(ref);
    CHECK(code(ref.error()) == errc::invalid_argument);

    request.set_sha256("not a digest");
    ref = c.put(request);
    REQUIRE_FALSE(ref);
    CHECK(code(ref.error()) == errc::invalid_argument);
  }
  // Sent to the typed actor, the claim is checked by the worker instead of
  // the client.
  caf::scoped_actor self{t.sys};
  for (const auto& claimed : {sha256_hex("other bytes"), std::string("not a digest")}) {
    auto request = make_put(make_scope("digest"), "the bytes");
    request.set_sha256(claimed);
    caf::error refused;
    self->request(s.actor(), 10s, put_atom::value, request)
        .receive([](const v1::ArtifactRef&) {}, [&](caf::error& err) { refused = err; });
    CHECK(code(refused) == errc::invalid_argument);
  }
  REQUIRE_FALSE(s.close(t.sys));
}

TEST_CASE("puts batched behind a refused put are still served") {
  // The worker is held by a get while three puts queue up behind it: two
  // join a batch (more messages wait), the last is refused at once for its
  // wrong digest. Nothing more comes, so answering that refusal must also
  // serve the batch, or its two callers wait out their timeouts.
  test_system t;
  auto storage = std::make_shared<instrumented_driver>(memory_config().storage);
  auto s = start_store(t.sys, storage, memory_config(1));
  caf::scoped_actor self{t.sys};
  const auto scope = make_scope("batch-behind");
  storage->delay_us = 300'000;
  auto held = self->request(s.actor(), 10s, get_atom::value, make_key(scope, "held"));
  bool holding = false;
  for (int waited = 0; waited < 1000 && !holding; ++waited) {
    holding = storage->calls.load() > storage->calls_past_delay.load();
    std::this_thread::sleep_for(1ms);
  }
  REQUIRE(holding);
  storage->delay_us = 0;
  std::vector<decltype(self->request(s.actor(), 5s, put_atom::value, v1::PutRequest{}))> puts;
  for (const std::string data : {"first in the batch", "second in the batch"}) {
    auto request = make_put(scope, data);
    request.set_sha256(sha256_hex(data));
    puts.push_back(self->request(s.actor(), 5s, put_atom::value, std::move(request)));
  }
  auto wrong = make_put(scope, "claims another digest");
  wrong.set_sha256(sha256_hex("something else"));
  auto refused = self->request(s.actor(), 5s, put_atom::value, std::move(wrong));

  held.receive([](v1::Blob&) {}, [](caf::error& err) { FAIL(describe(err)); });
  for (auto& put : puts) {
    put.receive([](v1::ArtifactRef& ref) { CHECK_FALSE(ref.id().empty()); },
                [](caf::error& err) { FAIL(describe(err)); });
  }
  refused.receive([](v1::ArtifactRef&) { FAIL("a wrong digest was stored"); },
                  [](caf::error& err) { CHECK(code(err) == errc::invalid_argument); });
  REQUIRE_FALSE(s.close(t.sys));
}

TEST_CASE("a killed worker is replaced and the store keeps answering") {
  test_system t;
  auto s = open_memory_store(t.sys);
  client c{t.sys, s};
  auto scope = make_scope("replace");
  auto ref = c.put(make_put(scope, "survives"));
  REQUIRE(ref);
  auto key = make_key(scope, ref->id());
  auto victim = route(t.sys, s, key);
  REQUIRE(victim);

  caf::anon_send_exit(victim, caf::exit_reason::kill);
  caf::actor_addr successor;
  REQUIRE(eventually([&] {
    successor = route(t.sys, s, key);
    return successor && successor != victim;
  }));

  auto blob = c.get(key);
  REQUIRE(blob);
  CHECK(blob->found());
  CHECK(blob->data() == "survives");
  auto again = c.put(make_put(scope, "after the replacement"));
  REQUIRE(again);
  CHECK(route(t.sys, s, key) == successor);
  REQUIRE_FALSE(s.close(t.sys));
}

TEST_CASE("a worker that loses its backend answers unavailable and reconnects") {
  test_system t;
  auto storage = std::make_shared<instrumented_driver>(memory_config().storage);
  auto s = open_counting_store(t.sys, storage, 1);
  {
    client c{t.sys, s};
    auto scope = make_scope("reconnect");
    REQUIRE(c.put(make_put(scope, "before")));
    auto worker = route(t.sys, s, make_key(scope, "x_000000000000"));
    CHECK(storage->live == 1);

    storage->broken = true;
    storage->refuse = true;
    auto lost = c.exists(make_key(scope, "x_000000000000"));
    REQUIRE_FALSE(lost);
    CHECK(code(lost.error()) == errc::unavailable);
    CHECK(storage->live == 0);  // the dead connection was dropped
    for (int i = 0; i < 20; ++i) {
      auto refused = c.exists(make_key(scope, "x_000000000000"));
      REQUIRE_FALSE(refused);
      CHECK(code(refused.error()) == errc::unavailable);
    }
    // Backoff: far fewer connection attempts than requests.
    CHECK(storage->opens < 10);
    CHECK(route(t.sys, s, make_key(scope, "x_000000000000")) == worker);

    storage->broken = false;
    storage->refuse = false;
    REQUIRE(eventually([&] { return static_cast<bool>(c.get(make_key(scope, "x"))); }));
    CHECK(storage->live == 1);
    CHECK(route(t.sys, s, make_key(scope, "x_000000000000")) == worker);
  }
  REQUIRE_FALSE(s.close(t.sys));
  CHECK(storage->live == 0);
}

TEST_CASE("reconnect backoff doubles up to its cap and resets on success") {
  using clock = reconnect_backoff::clock;
  reconnect_backoff backoff{50ms, 400ms};
  auto now = clock::now();
  CHECK_FALSE(backoff.waiting(now));
  std::vector<std::chrono::milliseconds> delays;
  for (int i = 0; i < 6; ++i) {
    auto drawn_from = backoff.current_delay();
    backoff.failed(now);
    CHECK(backoff.waiting(now));
    CHECK(backoff.next_attempt() >= now + drawn_from / 2);
    CHECK(backoff.next_attempt() <= now + drawn_from);
    delays.push_back(drawn_from);
  }
  CHECK(delays == std::vector<std::chrono::milliseconds>{50ms, 100ms, 200ms, 400ms, 400ms, 400ms});
  CHECK_FALSE(backoff.waiting(now + 400ms));
  backoff.succeeded();
  CHECK_FALSE(backoff.waiting(now));
  CHECK(backoff.current_delay() == 50ms);
}

TEST_CASE("close releases every worker, thread, backend and actor") {
  test_system t;
  const auto threads_at_start = thread_count();
  const auto actors_before = t.sys.registry().running();
  auto storage = std::make_shared<instrumented_driver>(memory_config().storage);
  auto s = open_counting_store(t.sys, storage, 4);
  {
    client c{t.sys, s};
    auto scope = make_scope("close");
    REQUIRE(c.put(make_put(scope, "data")));
    // Each worker connects on its own thread, right after it starts.
    CHECK(eventually([&] { return storage->live == 4; }));
    CHECK(thread_count() >= threads_at_start + 4);
    CHECK(t.sys.registry().running() > actors_before);

    REQUIRE_FALSE(s.close(t.sys));
    CHECK(s.is_closed());
    CHECK(storage->live == 0);
    REQUIRE_FALSE(s.close(t.sys));  // idempotent

    auto put = c.put(make_put(scope, "late"));
    REQUIRE_FALSE(put);
    CHECK(code(put.error()) == errc::store_closed);
    CHECK(describe(put.error()) == "store_closed: put: the store is closed");
    auto get = c.get(make_key(scope, "default_000000000000"));
    REQUIRE_FALSE(get);
    CHECK(code(get.error()) == errc::store_closed);
    auto list = c.list(v1::ListRequest{});
    REQUIRE_FALSE(list);
    CHECK(code(list.error()) == errc::store_closed);
  }
  CHECK(t.sys.registry().running() == actors_before);
  CHECK(eventually([&] { return thread_count() <= threads_at_start; }));
}

TEST_CASE(
    "close from several threads at once succeeds for each and stops every worker, none "
    "restarted") {
  test_system t;
  const auto actors_before = t.sys.registry().running();
  auto storage = std::make_shared<instrumented_driver>(memory_config().storage);
  auto s = open_counting_store(t.sys, storage, 4);
  // Each worker connects on its own thread, right after it starts.
  REQUIRE(eventually([&] { return storage->live == 4; }));
  CHECK(storage->opens == 4);
  std::vector<std::future<caf::error>> closers;
  for (int i = 0; i < 4; ++i) {
    closers.push_back(std::async(std::launch::async, [&] { return s.close(t.sys); }));
  }
  for (auto& closer : closers) {
    REQUIRE(closer.wait_for(30s) == std::future_status::ready);
    auto err = closer.get();
    INFO("close: " << (err ? describe(err) : std::string("ok")));
    CHECK_FALSE(err);
  }
  CHECK(s.is_closed());
  // Every worker stopped and gave its backend back, and none was started
  // again (a worker restarted while closing would open another).
  CHECK(storage->live == 0);
  CHECK(storage->opens == 4);
  CHECK(t.sys.registry().running() == actors_before);
}

TEST_CASE("only the first close request is answered true") {
  test_system t;
  // The one worker is held in a slow put, so the close cannot finish before
  // the second request arrives. (Without it the workers of a memory store
  // can be gone, and the supervisor with them, before the second request is
  // sent; a request to a stopped actor is CAF's request_receiver_down, which
  // store::close treats as closed.)
  auto storage = std::make_shared<instrumented_driver>(memory_config().storage);
  auto s = open_counting_store(t.sys, storage, 1);
  storage->delay_us = 500'000;
  caf::scoped_actor self{t.sys};
  auto slow = self->request(s.actor(), 10s, put_atom::value, make_put(make_scope("close"), "x"));
  auto first = self->request(s.supervisor(), 10s, close_atom::value);
  auto second = self->request(s.supervisor(), 10s, close_atom::value);
  std::vector<bool> answers;
  for (auto* handle : {&first, &second}) {
    handle->receive([&](bool closed_it) { answers.push_back(closed_it); },
                    [&](caf::error& err) { FAIL(describe(err)); });
  }
  CHECK(answers == std::vector<bool>{true, false});
  slow.receive([](const v1::ArtifactRef&) {}, [](const caf::error&) {});
  CHECK(s.is_closed());
  REQUIRE_FALSE(s.close(t.sys));
}

TEST_CASE("close while 100 requests are in flight: each gets a value or store_closed") {
  test_system t;
  const auto threads_at_start = thread_count();
  const auto actors_before = t.sys.registry().running();
  auto s = open_memory_store(t.sys);
  {
    auto c = std::make_shared<client>(t.sys, s);
    std::atomic<int> answered{0};
    std::atomic<int> values{0};
    std::atomic<int> refused{0};
    std::atomic<int> wrong{0};
    std::vector<std::future<void>> callers;
    for (int thread = 0; thread < 4; ++thread) {
      callers.push_back(std::async(std::launch::async, [&, thread] {
        auto scope = make_scope("inflight", "t" + std::to_string(thread));
        for (int i = 0; i < 25; ++i) {
          caf::error err;
          auto data = std::string(4096, static_cast<char>('a' + i)) + std::to_string(thread);
          switch (i % 4) {
            case 0: {
              auto r = c->put(make_put(scope, data));
              err = r ? caf::error{} : r.error();
              break;
            }
            case 1: {
              auto r = c->get(make_key(scope, "default_" + sha256_hex(data).substr(0, 12)));
              err = r ? caf::error{} : r.error();
              break;
            }
            case 2: {
              auto r = c->exists(make_key(scope, "default_000000000000"));
              err = r ? caf::error{} : r.error();
              break;
            }
            default: {
              v1::ListRequest request;
              *request.mutable_filter() = scope;
              auto r = c->list(request);
              err = r ? caf::error{} : r.error();
              break;
            }
          }
          ++answered;
          if (!err) {
            ++values;
          } else if (code(err) == errc::store_closed) {
            ++refused;
          } else {
            ++wrong;
            UNSCOPED_INFO("unexpected error: " << describe(err));
          }
        }
      }));
    }
    REQUIRE(eventually([&] { return answered.load() >= 10; }));
    REQUIRE_FALSE(s.close(t.sys));
    for (auto& caller : callers) {
      REQUIRE(caller.wait_for(60s) == std::future_status::ready);
    }
    CHECK(answered == 100);
    CHECK(values + refused == 100);
    CHECK(wrong == 0);
    CHECK(values >= 10);
  }
  CHECK(t.sys.registry().running() == actors_before);
  CHECK(eventually([&] { return thread_count() <= threads_at_start; }));
}

TEST_CASE("a closing store refuses route with store_closed, and a closed one is gone") {
  test_system t;
  // The one worker is held in a slow put, so that the store is still
  // closing, its supervisor there to answer, when route is asked.
  auto storage = std::make_shared<instrumented_driver>(memory_config().storage);
  auto s = open_counting_store(t.sys, storage, 1);
  storage->delay_us = 500'000;
  caf::scoped_actor self{t.sys};
  const auto key = make_key(make_scope("r"), "x");
  auto slow = self->request(s.actor(), 10s, put_atom::value, make_put(make_scope("r"), "slow"));
  REQUIRE(eventually([&] { return storage->calls.load() >= 1; }));
  auto closing = self->request(s.supervisor(), 10s, close_atom::value);
  // Sent after the close, by the same sender: the supervisor handles it
  // while closing.
  self->request(s.supervisor(), 10s, route_atom::value, key)
      .receive([&](caf::actor_addr&) { FAIL("a closing store routed a key"); },
               [&](caf::error& err) {
                 INFO("route while closing: " << describe(err));
                 CHECK(code(err) == errc::store_closed);
               });
  closing.receive([&](bool closed_it) { CHECK(closed_it); },
                  [&](caf::error& err) { FAIL("close: " << describe(err)); });
  slow.receive([](const v1::ArtifactRef&) {}, [](const caf::error&) {});
  CHECK(s.is_closed());

  // Once closed, the supervisor has stopped: CAF answers for it that the
  // receiver is down (never a timeout).
  self->request(s.supervisor(), 10s, route_atom::value, key)
      .receive([&](caf::actor_addr&) { FAIL("a closed store routed a key"); },
               [&](caf::error& err) {
                 INFO("route after close: " << t.sys.render(err));
                 CHECK(err == caf::sec::request_receiver_down);
               });
}

TEST_CASE("store errors render as code and message") {
  auto err = make_error(errc::hash_collision, "put: id default_abc is taken");
  CHECK(describe(err) == "hash_collision: put: id default_abc is taken");
  CHECK(code_of(err) == errc::hash_collision);
  CHECK(message_of(err) == "put: id default_abc is taken");

  test_system t;
  CHECK(t.sys.render(err) == "hash_collision: put: id default_abc is taken");
  auto s = open_memory_store(t.sys, 1);
  {
    client c{t.sys, s};
    v1::PutRequest no_identity;
    no_identity.set_data("x");
    auto ref = c.put(no_identity);
    REQUIRE_FALSE(ref);
    CHECK(code(ref.error()) == errc::identity_required);
    CHECK(describe(ref.error()).rfind("identity_required: put: ", 0) == 0);
  }
  REQUIRE_FALSE(s.close(t.sys));
}

TEST_CASE("a client round-trips every operation") {
  test_system t;
  auto s = open_memory_store(t.sys, 2);
  {
    client c{t.sys, s};
    CHECK(c.handle() == s.actor());
    auto scope = make_scope("roundtrip", "task");
    auto text = make_put(scope, "hello");
    auto ref = c.put_text(text);
    REQUIRE(ref);
    CHECK(ref->mime_type() == "text/plain; charset=utf-8");
    auto key = make_key(scope, ref->id());
    auto blob = c.get(key);
    REQUIRE(blob);
    CHECK(blob->data() == "hello");
    auto meta = c.get_ref(key);
    REQUIRE(meta);
    CHECK(meta->found());
    CHECK(meta->ref().sha256() == ref->sha256());
    CHECK(c.exists(key).value());
    v1::ListRequest list;
    list.mutable_filter()->set_tenant("roundtrip");
    auto listed = c.list(list);
    REQUIRE(listed);
    REQUIRE(listed->refs_size() == 1);
    CHECK(listed->refs(0).id() == ref->id());
    CHECK(c.remove(key).value());
    CHECK_FALSE(c.remove(key).value());
    auto gone = c.get(key);
    REQUIRE(gone);
    CHECK_FALSE(gone->found());
  }
  REQUIRE_FALSE(s.close(t.sys));
}

TEST_CASE("a client of a store that never answers times out with unavailable") {
  test_system t;
  const auto actors_before = t.sys.registry().running();
  auto silent = spawn_silent_store(t.sys);
  {
    client c{t.sys, silent, 200ms};
    auto blob = c.get(make_key(make_scope("silent"), "x"));
    REQUIRE_FALSE(blob);
    CHECK(code(blob.error()) == errc::unavailable);
    CHECK(describe(blob.error()) == "unavailable: get: request timed out after 200 ms");
  }
  caf::anon_send_exit(silent, caf::exit_reason::user_shutdown);
  silent = nullptr;
  CHECK(eventually([&] { return t.sys.registry().running() == actors_before; }));
}

TEST_CASE(
    "a client fails its outstanding calls when the store goes away, without waiting for "
    "their timeout") {
  test_system t;
  auto received = std::make_shared<std::atomic<int>>(0);
  auto silent = spawn_silent_store(t.sys, received);
  client c{t.sys, silent, 60s};
  auto pending =
      std::async(std::launch::async, [&] { return c.get(make_key(make_scope("gone"), "x")); });
  // The call has reached the store before it stops.
  REQUIRE(eventually([&] { return received->load() == 1; }));
  caf::anon_send_exit(silent, caf::exit_reason::user_shutdown);
  // Far less than the call's 60 s timeout.
  REQUIRE(pending.wait_for(30s) == std::future_status::ready);
  auto blob = pending.get();
  REQUIRE_FALSE(blob);
  CHECK(code(blob.error()) == errc::unavailable);
  CHECK(message_of(blob.error()).find("timed out") == std::string::npos);

  // Later calls fail at once, too.
  auto later = c.exists(make_key(make_scope("gone"), "x"));
  REQUIRE_FALSE(later);
  CHECK(code(later.error()) == errc::unavailable);
}

TEST_CASE("a client of a null handle answers unavailable") {
  test_system t;
  client c{t.sys, store_actor{}, 1s};
  auto blob = c.get(make_key(make_scope("null"), "x"));
  REQUIRE_FALSE(blob);
  CHECK(code(blob.error()) == errc::unavailable);
}

TEST_CASE("a client is safe to share across threads") {
  test_system t;
  auto s = open_memory_store(t.sys);
  {
    auto c = std::make_shared<client>(t.sys, s);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 16; ++i) {
      threads.emplace_back([&, i] {
        auto scope = make_scope("shared", "t" + std::to_string(i % 4));
        for (int round = 0; round < 20; ++round) {
          auto ref = c->put(make_put(scope, "same bytes"));
          if (!ref) {
            ++failures;
            continue;
          }
          auto blob = c->get(make_key(scope, ref->id()));
          if (!blob || !blob->found() || blob->data() != "same bytes") {
            ++failures;
          }
        }
      });
    }
    for (auto& thread : threads) {
      thread.join();
    }
    CHECK(failures == 0);
    v1::ListRequest list;
    list.mutable_filter()->set_tenant("shared");
    auto listed = c->list(list);
    REQUIRE(listed);
    CHECK(listed->refs_size() == 4);
  }
  REQUIRE_FALSE(s.close(t.sys));
}

TEST_CASE("a scoped client validates, stamps and checks its scope") {
  test_system t;
  auto s = open_memory_store(t.sys, 2);
  {
    auto shared = std::make_shared<client>(t.sys, s);
    CHECK_THROWS_AS(scoped_client(nullptr, make_scope("a")), std::invalid_argument);
    for (auto bad : {v1::Scope{}, make_scope(""), make_scope(std::string("nul\0", 4))}) {
      CHECK_THROWS_AS(scoped_client(shared, bad), std::invalid_argument);
    }
    auto no_user = make_scope("a");
    no_user.set_user("");
    CHECK_THROWS_AS(scoped_client(shared, no_user), std::invalid_argument);

    scoped_client a{shared, make_scope("tenant-a")};
    scoped_client b{shared, make_scope("tenant-b")};
    CHECK(a.scope().tenant() == "tenant-a");

    auto foreign = make_put(make_scope("someone-else"), "stamped");
    auto ref = a.put(foreign);
    REQUIRE(ref);
    CHECK(ref->scope().tenant() == "tenant-a");
    CHECK(a.exists(ref->id()).value());
    CHECK_FALSE(b.exists(ref->id()).value());
    CHECK_FALSE(b.get(ref->id())->found());
    CHECK_FALSE(b.remove(ref->id()).value());
    CHECK(a.get(ref->id())->found());
    CHECK(a.get_ref(ref->id())->ref().id() == ref->id());

    auto text = a.put_text(make_put(make_scope("x"), "some text"));
    REQUIRE(text);
    CHECK(text->mime_type() == "text/plain; charset=utf-8");

    auto listed = a.list();
    REQUIRE(listed);
    CHECK(listed->refs_size() == 2);
    CHECK(b.list()->refs_size() == 0);
  }
  REQUIRE_FALSE(s.close(t.sys));
}

TEST_CASE("a scoped client reports refs of another scope as scope_mismatch") {
  test_system t;
  auto storage = std::make_shared<instrumented_driver>(memory_config().storage);
  auto s = open_counting_store(t.sys, storage, 2);
  {
    scoped_client a{std::make_shared<client>(t.sys, s), make_scope("tenant-a", "task")};
    auto ref = a.put(make_put(make_scope("ignored"), "honest"));
    REQUIRE(ref);

    storage->foreign = true;
    auto put = a.put(make_put(make_scope("ignored"), "lied about"));
    REQUIRE_FALSE(put);
    CHECK(code(put.error()) == errc::scope_mismatch);
    auto meta = a.get_ref(ref->id());
    REQUIRE_FALSE(meta);
    CHECK(code(meta.error()) == errc::scope_mismatch);
    auto listed = a.list();
    REQUIRE_FALSE(listed);
    CHECK(code(listed.error()) == errc::scope_mismatch);
    CHECK(describe(listed.error()).rfind("scope_mismatch: list: ", 0) == 0);
  }
  REQUIRE_FALSE(s.close(t.sys));
}
