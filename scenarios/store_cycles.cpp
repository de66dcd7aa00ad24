#include "scenarios/store_cycles.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <catch2/catch.hpp>

#include <artifact_store/client.hpp>
#include <artifact_store/configure.hpp>
#include <artifact_store/error.hpp>
#include <artifact_store/store.hpp>

#include "scenarios/process_counts.hpp"
#include "scenarios/scenario_support.hpp"
#include "storage/dsn.hpp"

namespace artifacts::scenarios {

namespace {

// Closes the store when a failed assertion leaves the cycle early, so that
// the actor system's destructor does not wait for its supervisor forever.
class close_on_failure {
 public:
  close_on_failure(caf::actor_system& sys, const store& opened) : sys_(sys), store_(opened) {}
  ~close_on_failure() {
    if (armed_) {
      (void)store_.close(sys_);
      caf::anon_send_exit(store_.supervisor(), caf::exit_reason::kill);
    }
  }
  close_on_failure(const close_on_failure&) = delete;
  close_on_failure& operator=(const close_on_failure&) = delete;

  void disarm() { armed_ = false; }

 private:
  caf::actor_system& sys_;
  const store& store_;
  bool armed_ = true;
};

}  // namespace

void open_use_close(caf::actor_system& sys, const store_config& config, int cycles,
                    const std::function<void(const store_config&)>& while_open) {
  const auto scope = make_scope("tenant", "user", "session");
  for (int cycle = 0; cycle < cycles; ++cycle) {
    INFO("cycle " << cycle);
    auto opened = REQUIRE_VALUE(open_store(sys, config));
    close_on_failure guard{sys, opened};
    {
      artifacts::client client{sys, opened};
      const std::string bytes = "cycle " + std::to_string(cycle) + std::string(1000, 'x');
      auto ref = REQUIRE_VALUE(client.put(put_request(scope, bytes)));
      auto blob = REQUIRE_VALUE(client.get(make_key(scope, ref.id())));
      CHECK(blob.found());
      CHECK(blob.data() == bytes);
    }
    if (while_open) {
      while_open(config);
    }
    guard.disarm();
    auto err = opened.close(sys);
    INFO("close: " << (err ? describe(err) : std::string("ok")));
    REQUIRE_FALSE(err);
  }
}

void check_cycles_leave_nothing(const std::string& dsn, const held_resource& held) {
  store_config config;
  config.storage.dsn = dsn;
  caf::actor_system_config cfg;
  configure_actor_system(cfg);
  caf::actor_system sys{cfg};
  // Taken once the actor system runs: only what the stores add is theirs.
  const auto actors_before = sys.registry().running();
  const auto before = current_footprint();
  const auto held_before = held.count ? held.count() : 0;
  // Workers run on threads of their own, from the moment they are spawned,
  // for every driver but the memory one, whose calls never wait.
  const bool worker_threads = parse_dsn(dsn).kind != driver_kind::memory;
  size_t fewest_actors_open = SIZE_MAX;
  size_t fewest_threads_open = SIZE_MAX;
  size_t fewest_held_open = SIZE_MAX;
  open_use_close(sys, config, leak_check_cycles, [&](const store_config& opened) {
    fewest_actors_open =
        std::min(fewest_actors_open, excess(sys.registry().running(), actors_before));
    fewest_threads_open = std::min(fewest_threads_open, excess(live_threads(), before.threads));
    if (held.count) {
      const size_t expected = held.one_per_worker ? opened.pool_size : 1;
      // Workers connect on their own threads, shortly after they start. Once
      // a store was not seen within the bound, later ones are counted as
      // they are: the check below fails either way.
      const auto deadline =
          std::chrono::steady_clock::now() +
          (fewest_held_open >= expected ? std::chrono::seconds{15} : std::chrono::seconds{0});
      auto now = excess(held.count(), held_before);
      while (now < expected && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        now = excess(held.count(), held_before);
      }
      fewest_held_open = std::min(fewest_held_open, now);
    }
  });
  INFO("fewest actors and threads added while a store was open: "
       << fewest_actors_open << ", " << fewest_threads_open << " (pool of " << config.pool_size
       << ")");
  // Its supervisor and workers.
  CHECK(fewest_actors_open >= config.pool_size + 1);
  if (worker_threads) {
    CHECK(fewest_threads_open >= config.pool_size);
  }
  if (held.count) {
    INFO("fewest " << held.what << " while a store was open: " << fewest_held_open);
    CHECK(fewest_held_open >= (held.one_per_worker ? config.pool_size : size_t{1}));
  }

  const auto after = footprint_back_to(before);
  INFO("before: " << to_string(before) << "; after: " << to_string(after));
  CHECK(excess(after.threads, before.threads) == 0);
  CHECK(excess(after.descriptors, before.descriptors) == 0);
  CHECK(sys.registry().running() == actors_before);
  if (held.count) {
    // Backends and file handles go shortly after the close, not at once.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{15};
    auto left = excess(held.count(), held_before);
    while (left > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      left = excess(held.count(), held_before);
    }
    INFO(held.what << " left after the last close: " << left);
    CHECK(left == 0);
  }
}

}  // namespace artifacts::scenarios
