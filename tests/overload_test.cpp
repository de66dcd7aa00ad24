// Overload: a store flooded faster than it can work answers every request,
// refusing what is over its in-flight bound at once, and its memory stays
// bounded.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <future>
#include <memory>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <catch2/catch.hpp>

#include <artifact_store/configure.hpp>
#include <artifact_store/error.hpp>
#include <artifact_store/store.hpp>

#include "actors/supervisor.hpp"
#include "scenarios/instrumented_driver.hpp"
#include "scenarios/load_scale.hpp"
#include "scenarios/scenario_support.hpp"

// The memory bound below is asserted in the plain build only. Under
// AddressSanitizer freed memory waits in a quarantine (256 MiB by default)
// before it is reused, and that quarantine is what finds a use after free, so
// this test keeps it like every other: the resident peak then also counts
// memory the store has already let go of, plus redzones and shadow (about
// 530 MiB of growth when measured, 142 MiB with the quarantine off). Under
// ThreadSanitizer, shadow memory multiplies what waits in the supervisor's
// mailbox. The sanitizer builds run the same flood for its answers and print
// the figure.
#if defined(__SANITIZE_ADDRESS__)
#define ARTIFACTS_OVERLOAD_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARTIFACTS_OVERLOAD_TEST_ASAN 1
#endif
#endif

namespace {

using namespace std::chrono_literals;
using artifacts::errc;
using artifacts::testing::instrumented_driver;

#ifdef ARTIFACTS_OVERLOAD_TEST_ASAN
constexpr bool address_sanitizer = true;
#else
constexpr bool address_sanitizer = false;
#endif
constexpr bool plain_build = !address_sanitizer && !artifacts::scenarios::thread_sanitizer_build;

// The process's peak resident memory so far (VmHWM), in KiB.
int64_t peak_resident_kib() {
  std::ifstream status{"/proc/self/status"};
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      return std::stoll(line.substr(6));
    }
  }
  return -1;
}

struct flood_result {
  size_t stored = 0;
  size_t overloaded = 0;
  size_t other = 0;
  std::string first_other;
};

// Sends `count` puts of `payload_bytes` each to `target` as fast as one actor
// can, without waiting for any answer, and counts the answers.
flood_result flood(caf::actor_system& sys, const artifacts::store_actor& target, size_t count,
                   size_t payload_bytes) {
  auto result = std::make_shared<flood_result>();
  std::promise<void> done;
  auto finished = done.get_future();
  // The unused int keeps CAF 0.17 off its argument-less spawn path, which
  // UndefinedBehaviorSanitizer flags.
  sys.spawn(
      [=, &done](caf::event_based_actor* self, int) {
        auto answered = std::make_shared<size_t>(0);
        auto settle = [=, &done] {
          if (++*answered == count) {
            done.set_value();
            self->quit();
          }
        };
        const auto scope = artifacts::scenarios::make_scope("flood", "u", "s");
        for (size_t n = 0; n < count; ++n) {
          auto data = std::to_string(n) + ":";
          data.resize(payload_bytes, 'x');
          auto request = artifacts::scenarios::put_request(scope, std::move(data));
          self->request(target, 120s, artifacts::put_atom::value, std::move(request))
              .then(
                  [=](const artifacts::v1::ArtifactRef&) {
                    ++result->stored;
                    settle();
                  },
                  [=](caf::error& err) {
                    auto message = artifacts::describe(err);
                    if (artifacts::code_of(err) == errc::unavailable &&
                        message.find("overloaded") != std::string::npos) {
                      ++result->overloaded;
                    } else if (result->other++ == 0) {
                      result->first_other = message;
                    }
                    settle();
                  });
        }
      },
      0);
  REQUIRE(finished.wait_for(120s) == std::future_status::ready);
  return *result;
}

}  // namespace

TEST_CASE("100 000 puts flooding a slow store: every one answered, memory bounded", "[overload]") {
  caf::actor_system_config cfg;
  artifacts::configure_actor_system(cfg);
  caf::actor_system sys{cfg};
  artifacts::store_config config;
  config.storage.dsn = "memory:";
  config.pool_size = 2;
  config.max_in_flight = 64;
  auto storage = std::make_shared<instrumented_driver>(config.storage);
  // 2 ms a call. ThreadSanitizer slows the flood about tenfold, so there the
  // store is slowed as much, and the flood still outpaces it.
  storage->delay_us = artifacts::scenarios::load_volume<int64_t>(2000, 20000);
  // The memory check is about requests in flight; the flood's stored bytes
  // would grow with how long it ran.
  storage->keep_bytes = false;
  auto store = artifacts::start_store(sys, storage, config);

  constexpr size_t requests = artifacts::scenarios::load_volume<size_t>(100000, 10000);
  constexpr size_t payload_bytes = 16 * 1024;
  const auto before_kib = peak_resident_kib();
  auto result = flood(sys, store.actor(), requests, payload_bytes);
  const auto after_kib = peak_resident_kib();
  const auto growth_mib = (after_kib - before_kib) / 1024;

  WARN("flood: stored " << result.stored << ", overloaded " << result.overloaded
                        << "; peak resident " << before_kib / 1024 << " MiB before, "
                        << after_kib / 1024 << " MiB after, growth " << growth_mib << " MiB"
                        << (plain_build ? "" : " (sanitizer build: not checked)"));
  CHECK(result.stored + result.overloaded == requests);
  CHECK(result.other == 0);
  CHECK(result.first_other == "");
  CHECK(result.stored >= config.max_in_flight);
  CHECK(result.overloaded > requests / 2);
  // Queued in full, the flood would hold 100 000 x 16 KiB = 1.6 GiB. What
  // remains is the backlog in the supervisor's mailbox while the sender
  // outpaces even the refusals: 92-93 MiB when measured. Stored bytes are
  // not kept (above), so the figure does not grow with how long the flood
  // took. The sanitizer builds do not check it (above).
  if constexpr (plain_build) {
    CHECK(growth_mib < 256);
  }

  // Once the flood has drained, the store serves normally again.
  storage->delay_us = 0;
  auto after = flood(sys, store.actor(), config.max_in_flight, 1024);
  CHECK(after.stored == config.max_in_flight);
  CHECK_FALSE(store.close(sys));
}
