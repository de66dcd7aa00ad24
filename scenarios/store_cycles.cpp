#include "scenarios/store_cycles.hpp"

#include <string>

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

void open_use_close(caf::actor_system& sys, const store_config& config, int cycles) {
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
    guard.disarm();
    auto err = opened.close(sys);
    INFO("close: " << (err ? describe(err) : std::string("ok")));
    REQUIRE_FALSE(err);
  }
}

void check_cycles_leave_nothing(const std::string& dsn) {
  store_config config;
  config.storage.dsn = dsn;
  caf::actor_system_config cfg;
  configure_actor_system(cfg);
  caf::actor_system sys{cfg};
  // Taken once the actor system runs: only what the stores add is theirs.
  const auto actors_before = sys.registry().running();
  const auto before = current_footprint();
  open_use_close(sys, config, leak_check_cycles);
  const auto after = footprint_back_to(before);
  INFO("before: " << to_string(before) << "; after: " << to_string(after));
  CHECK(excess(after.threads, before.threads) == 0);
  CHECK(excess(after.descriptors, before.descriptors) == 0);
  CHECK(sys.registry().running() == actors_before);
}

}  // namespace artifacts::scenarios
