// The store's Prometheus metrics (include/artifact_store/metrics.hpp),
// counted in the library: the counters equal what callers sent and were
// answered, under concurrency; refusals, removals and the workers' state are
// counted; several stores add up in one registry.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <prometheus/metric_family.h>
#include <prometheus/registry.h>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <catch2/catch.hpp>

#include <artifact_store/client.hpp>
#include <artifact_store/configure.hpp>
#include <artifact_store/error.hpp>
#include <artifact_store/metrics.hpp>
#include <artifact_store/request_log.hpp>
#include <artifact_store/store.hpp>
#include <artifact_store/version.hpp>

#include "actors/supervisor.hpp"
#include "scenarios/instrumented_driver.hpp"
#include "scenarios/requests.hpp"
#include "scenarios/scenario_support.hpp"

namespace {

using namespace std::chrono_literals;
using artifacts::errc;
using labels = std::map<std::string, std::string>;

// The value of the metric `name`{`wanted`} in `registry`: a counter's or a
// gauge's value, a histogram's count of samples; 0 when it does not exist.
double value_of(prometheus::Registry& registry, const std::string& name,
                const labels& wanted = {}) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) {
      continue;
    }
    for (const auto& metric : family.metric) {
      labels found;
      for (const auto& label : metric.label) {
        found[label.name] = label.value;
      }
      if (found != wanted) {
        continue;
      }
      switch (family.type) {
        case prometheus::MetricType::Counter:
          return metric.counter.value;
        case prometheus::MetricType::Gauge:
          return metric.gauge.value;
        case prometheus::MetricType::Histogram:
          return static_cast<double>(metric.histogram.sample_count);
        default:
          return metric.untyped.value;
      }
    }
  }
  return 0;
}

// An actor system configured for stores, with a store on `config` in it.
struct metered_store {
  explicit metered_store(artifacts::store_config config,
                         std::shared_ptr<artifacts::driver> storage = nullptr)
      : system{(artifacts::configure_actor_system(cfg), cfg)},
        local{storage ? artifacts::start_store(system, std::move(storage), config) : open(config)} {
  }

  ~metered_store() { (void)local.close(system); }

  artifacts::store open(const artifacts::store_config& config) {
    auto opened = artifacts::open_store(system, config);
    REQUIRE(opened);
    return std::move(*opened);
  }

  caf::actor_system_config cfg;
  caf::actor_system system;
  artifacts::store local;
};

// What the callers saw, by operation and outcome ("ok" or the code).
class tally {
 public:
  template <class T>
  void add(const std::string& op, const caf::expected<T>& outcome, uint64_t bytes = 0) {
    std::lock_guard<std::mutex> guard{lock_};
    ++answers_[{op, artifacts::scenarios::code_name(outcome)}];
    bytes_[op] += bytes;
  }
  std::map<std::pair<std::string, std::string>, double> answers() const { return answers_; }
  double bytes(const std::string& op) const {
    auto found = bytes_.find(op);
    return found == bytes_.end() ? 0 : static_cast<double>(found->second);
  }

 private:
  std::mutex lock_;
  std::map<std::pair<std::string, std::string>, double> answers_;
  std::map<std::string, uint64_t> bytes_;
};

TEST_CASE("the counters equal the requests callers sent and the answers they got", "[metrics]") {
  auto registry = std::make_shared<prometheus::Registry>();
  artifacts::store_config config;
  config.storage.dsn = "memory:";
  config.pool_size = 2;
  config.metrics = artifacts::make_store_metrics(registry);
  // The request log sees the same answers, with their subjects.
  std::mutex logged_lock;
  std::map<std::pair<std::string, std::string>, double> logged;
  size_t puts_without_id = 0;
  size_t without_scope = 0;
  config.on_answered = [&](const artifacts::answered_request& record) {
    std::lock_guard<std::mutex> guard{logged_lock};
    ++logged[{std::string(record.op), record.code}];
    puts_without_id += record.op == "put" && std::string_view{record.code} == "ok" &&
                       record.id.empty();
    without_scope += record.scope == nullptr;
  };
  metered_store store{config};
  CHECK(value_of(*registry, "artifact_store_build_info",
                 {{"driver", "memory"}, {"version", artifacts::library_version()}}) == 1);

  constexpr int threads = 8;
  constexpr int rounds = 40;
  tally seen;
  std::vector<std::thread> callers;
  for (int t = 0; t < threads; ++t) {
    callers.emplace_back([&, t] {
      artifacts::client c{store.system, store.local};
      const auto scope = artifacts::scenarios::make_scope("tenant" + std::to_string(t), "u", "s");
      for (int i = 0; i < rounds; ++i) {
        // Payloads of many sizes; some rounds repeat an earlier one.
        const std::string data(static_cast<size_t>(100 + t * rounds + i % 30), 'a' + (i % 26));
        auto put = c.put(artifacts::scenarios::put_request(scope, data));
        seen.add("put", put, data.size());
        if (!put) {
          continue;  // counted by the tally; no Catch2 assertion off the test's thread
        }
        auto got = c.get(artifacts::scenarios::make_key(*put));
        seen.add("get", got, got ? got->data().size() : 0);
        auto missing = c.get_ref(artifacts::scenarios::make_key(scope, "default_000000000000"));
        seen.add("get_ref", missing);
        // A put without a tenant reaches a worker and is refused there.
        auto anonymous = c.put(artifacts::scenarios::put_request(
            artifacts::scenarios::make_scope("", "u", "s"), data));
        seen.add("put", anonymous, data.size());
        auto listed = c.list(artifacts::scenarios::list_request(scope, 5));
        seen.add("list", listed);
      }
    });
  }
  for (auto& caller : callers) {
    caller.join();
  }

  const auto answers = seen.answers();
  {
    std::lock_guard<std::mutex> guard{logged_lock};
    CHECK(logged == answers);
    CHECK(puts_without_id == 0);
    CHECK(without_scope == 0);
  }
  CHECK(answers.at({"put", "ok"}) == threads * rounds);
  CHECK(answers.at({"put", "identity_required"}) == threads * rounds);
  for (const auto& [key, count] : answers) {
    const auto& [op, code] = key;
    INFO(op << " " << code);
    CHECK(value_of(*registry, "artifact_store_requests_total", {{"op", op}, {"code", code}}) ==
          count);
  }
  for (const std::string op : {"put", "get", "get_ref", "list"}) {
    INFO(op);
    double answered = 0;
    for (const auto& [key, count] : answers) {
      answered += key.first == op ? count : 0;
    }
    CHECK(value_of(*registry, "artifact_store_request_duration_seconds", {{"op", op}}) == answered);
  }
  // A refused put's payload was received too.
  CHECK(value_of(*registry, "artifact_store_payload_bytes_total", {{"op", "put"}}) ==
        seen.bytes("put"));
  CHECK(value_of(*registry, "artifact_store_payload_bytes_total", {{"op", "get"}}) ==
        seen.bytes("get"));
  CHECK(value_of(*registry, "artifact_store_in_flight_requests") == 0);
  CHECK(value_of(*registry, "artifact_store_in_flight_bytes") == 0);
  CHECK(value_of(*registry, "artifact_store_overload_refusals_total") == 0);
  CHECK(value_of(*registry, "artifact_store_workers", {{"state", "connected"}}) == 2);
  CHECK(value_of(*registry, "artifact_store_workers", {{"state", "disconnected"}}) == 0);

  // Two stores in one registry add up.
  {
    auto second_config = config;
    second_config.storage.dsn = "memory:";
    metered_store second{second_config};
    artifacts::client c{second.system, second.local};
    REQUIRE(c.put(artifacts::scenarios::put_request(artifacts::scenarios::make_scope("x", "u", "s"),
                                                    "one more")));
    CHECK(value_of(*registry, "artifact_store_requests_total", {{"op", "put"}, {"code", "ok"}}) ==
          threads * rounds + 1);
    CHECK(value_of(*registry, "artifact_store_workers", {{"state", "connected"}}) == 4);
  }
  // A closed store's workers leave the gauge.
  CHECK(value_of(*registry, "artifact_store_workers", {{"state", "connected"}}) == 2);
}

TEST_CASE("refusals at the in-flight bound are counted, and only they", "[metrics]") {
  auto registry = std::make_shared<prometheus::Registry>();
  artifacts::store_config config;
  config.storage.dsn = "memory:";
  config.pool_size = 2;
  config.max_in_flight = 4;
  config.metrics = artifacts::make_store_metrics(registry);
  auto slow = std::make_shared<artifacts::testing::instrumented_driver>(config.storage);
  slow->delay_us = 2000;
  metered_store store{config, slow};

  std::atomic<int> stored{0};
  std::atomic<int> overloaded{0};
  std::atomic<int> other{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 16; ++t) {
    callers.emplace_back([&, t] {
      artifacts::client c{store.system, store.local};
      const auto scope = artifacts::scenarios::make_scope("flood", "u", "s");
      for (int i = 0; i < 20; ++i) {
        auto put = c.put(
            artifacts::scenarios::put_request(scope, std::to_string(t) + "/" + std::to_string(i)));
        if (put) {
          ++stored;
        } else if (artifacts::code_of(put.error()) == errc::unavailable &&
                   artifacts::describe(put.error()).find("overloaded") != std::string::npos) {
          ++overloaded;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& caller : callers) {
    caller.join();
  }
  INFO("stored " << stored << ", overloaded " << overloaded);
  CHECK(other == 0);
  CHECK(overloaded > 0);
  CHECK(value_of(*registry, "artifact_store_overload_refusals_total") == overloaded);
  CHECK(value_of(*registry, "artifact_store_requests_total", {{"op", "put"}, {"code", "ok"}}) ==
        stored);
  CHECK(value_of(*registry, "artifact_store_in_flight_requests") == 0);
}

TEST_CASE("expired and purged artifacts are counted with their bytes", "[metrics]") {
  auto registry = std::make_shared<prometheus::Registry>();
  auto now = std::make_shared<std::atomic<int64_t>>(1'800'000'000);
  artifacts::store_config config;
  config.storage.dsn = "memory:";
  config.pool_size = 1;
  config.sweep_interval = 0ms;
  config.storage.clock = [now] {
    return std::chrono::system_clock::time_point{std::chrono::seconds{now->load()}};
  };
  config.metrics = artifacts::make_store_metrics(registry);
  metered_store store{config};
  artifacts::client c{store.system, store.local};
  for (int i = 0; i < 3; ++i) {
    auto request = artifacts::scenarios::put_request(
        artifacts::scenarios::make_scope("a", "u", "s"), std::string(10 + i, 'e'));
    request.mutable_ttl()->set_seconds(60);
    REQUIRE(c.put(request));
  }
  for (int i = 0; i < 2; ++i) {
    REQUIRE(c.put(artifacts::scenarios::put_request(artifacts::scenarios::make_scope("b", "u", "s"),
                                                    std::string(100 + i, 'p'))));
  }
  now->fetch_add(120);
  auto swept = c.sweep();
  REQUIRE(swept);
  CHECK(swept->deleted() == 3);
  auto purged = c.purge(artifacts::scenarios::make_scope("b", "", ""));
  REQUIRE(purged);
  CHECK(purged->deleted() == 2);
  CHECK(value_of(*registry, "artifact_store_removed_total", {{"reason", "expired"}}) == 3);
  CHECK(value_of(*registry, "artifact_store_removed_bytes_total", {{"reason", "expired"}}) == 33);
  CHECK(value_of(*registry, "artifact_store_removed_total", {{"reason", "purged"}}) == 2);
  CHECK(value_of(*registry, "artifact_store_removed_bytes_total", {{"reason", "purged"}}) == 201);
}

TEST_CASE("metrics need a registry", "[metrics]") {
  CHECK_THROWS_AS(artifacts::make_store_metrics(nullptr), std::invalid_argument);
}

}  // namespace
