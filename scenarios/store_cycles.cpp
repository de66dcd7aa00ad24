#include "scenarios/store_cycles.hpp"

#include <string>

#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <catch2/catch.hpp>

#include "actors/client.hpp"
#include "actors/error.hpp"
#include "actors/store.hpp"
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

}  // namespace artifacts::scenarios
