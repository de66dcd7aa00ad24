// A client given three nodes on one PostgreSQL database (separate
// processes): its calls spread over them, identical concurrent puts through
// all three leave one row, and when one node is killed under load no
// repeatable call fails (docs/scaling.md).

#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <artifact_store/client.hpp>
#include <artifact_store/error.hpp>
#include <artifact_store/remoting.hpp>

#include "scenarios/polling.hpp"
#include "scenarios/postgres_schema.hpp"
#include "scenarios/remote_fixture.hpp"
#include "scenarios/requests.hpp"
#include "scenarios/test_files.hpp"
#include "tests/command_runner.hpp"
#include "tests/http_scrape.hpp"

namespace {

using namespace std::chrono_literals;
using artifacts::scenarios::make_key;
using artifacts::scenarios::make_scope;
using artifacts::scenarios::poll_until;
using artifacts::scenarios::put_request;
using artifacts::testing::temp_folder;
using artifacts::testing::command::http_get;
using artifacts::testing::command::node;
using artifacts::testing::command::run;
using artifacts::testing::command::sample;

// The requests a node answered, read from its metrics.
double answered(const std::string& metrics_address) {
  const auto scraped = http_get(metrics_address, "/metrics");
  double total = 0;
  for (const char* op : {"put", "get", "get_ref", "exists", "list"}) {
    const auto value = sample(
        scraped.body, std::string("artifact_store_requests_total{code=\"ok\",op=\"") + op + "\"}");
    total += value > 0 ? value : 0;  // -1: none answered yet
  }
  return total;
}

// What callers of one kind saw: calls made and calls that failed, with the
// first failure's text. Written by the callers' threads, read once they
// are joined.
struct tally {
  std::atomic<size_t> calls{0};
  std::atomic<size_t> failures{0};
  std::mutex mutex;
  std::string first_failure;

  void failed(const std::string& what) {
    if (failures++ == 0) {
      std::lock_guard<std::mutex> guard{mutex};
      first_failure = what;
    }
  }
};

}  // namespace

TEST_CASE("a client of three nodes spreads its calls and loses none when a node is killed",
          "[postgres][fleet]") {
  artifacts::testing::temporary_schema schema;
  temp_folder dir{"fleet"};
  std::vector<std::unique_ptr<node>> nodes;
  std::vector<std::string> metrics;
  for (int i = 0; i < 3; ++i) {
    nodes.push_back(std::make_unique<node>(
        dir.path(), std::vector<std::string>{"--dsn", schema.dsn("as-fleet"), "--pool", "2",
                                             "--metrics-address", "127.0.0.1:0"}));
    const auto line = nodes.back()->next_line();
    REQUIRE(line.rfind("metrics on ", 0) == 0);
    metrics.push_back(line.substr(std::string("metrics on ").size()));
  }

  artifacts::scenarios::remoting_system system{artifacts::client_remoting_options({})};
  auto& sys = system.get();
  std::vector<uint16_t> ports;
  for (const auto& serving : nodes) {
    ports.push_back(serving->port());
  }
  auto connect = [&sys, ports](size_t index) {
    return artifacts::connect_store(sys, "127.0.0.1", ports.at(index), 5s);
  };
  auto first = connect(0);
  REQUIRE(first);
  auto fleet = std::make_unique<artifacts::client>(sys, *first, 0, 30s, connect, ports.size());
  auto& c = *fleet;

  SECTION("identical concurrent puts through all three leave one row") {
    const auto scope = make_scope("fleet", "same", "s");
    const std::string data(64 << 10, 'x');
    std::vector<std::thread> callers;
    tally seen;
    std::mutex ids_mutex;
    std::vector<std::string> ids;
    for (int t = 0; t < 12; ++t) {
      callers.emplace_back([&] {
        auto ref = c.put(put_request(scope, data));
        ++seen.calls;
        if (!ref) {
          seen.failed(artifacts::describe(ref.error()));
          return;
        }
        std::lock_guard<std::mutex> guard{ids_mutex};
        ids.push_back(ref->id() + " " + ref->created_at().DebugString());
      });
    }
    for (auto& caller : callers) {
      caller.join();
    }
    INFO(seen.first_failure);
    CHECK(seen.failures == 0);
    REQUIRE(ids.size() == 12);
    for (const auto& id : ids) {
      CHECK(id == ids.front());
    }
    CHECK(schema.query("SELECT count(*) FROM artifacts_blobs WHERE tenant = 'fleet'").at(0).at(0) ==
          "1");
    // Each node served some of them.
    for (const auto& address : metrics) {
      CHECK(answered(address) >= 1);
    }
  }

  SECTION("a node killed under 8 callers: no repeatable call fails") {
    std::atomic<bool> stop{false};
    tally seen;
    std::vector<std::thread> callers;
    for (int t = 0; t < 8; ++t) {
      callers.emplace_back([&, t] {
        const auto scope = make_scope("fleet", "load", "caller-" + std::to_string(t));
        for (int n = 0; !stop.load(); ++n) {
          const std::string data = "caller " + std::to_string(t) + " put " + std::to_string(n);
          auto ref = c.put(put_request(scope, data));
          ++seen.calls;
          if (!ref) {
            seen.failed("put: " + artifacts::describe(ref.error()));
            continue;
          }
          auto blob = c.get(make_key(*ref));
          ++seen.calls;
          if (!blob || !blob->found() || blob->data() != data) {
            seen.failed("get: " +
                        (blob ? std::string("wrong answer") : artifacts::describe(blob.error())));
          }
          auto exists = c.exists(make_key(*ref));
          ++seen.calls;
          if (!exists || !*exists) {
            seen.failed("exists: " +
                        (exists ? std::string("false") : artifacts::describe(exists.error())));
          }
          if (n % 10 == 0) {
            auto listed = c.list(artifacts::scenarios::list_request(scope));
            ++seen.calls;
            if (!listed) {
              seen.failed("list: " + artifacts::describe(listed.error()));
            }
          }
        }
      });
    }
    // The node to kill is in the rotation before it dies, and the callers
    // go on long enough after its death to meet it lost.
    REQUIRE(poll_until([&] { return seen.calls >= 1000 && answered(metrics[1]) >= 1; }, 60s));
    const size_t before_kill = seen.calls.load();
    const auto served_before = answered(metrics[1]);
    CHECK(nodes[1]->stop(SIGKILL) == 128 + SIGKILL);
    const bool went_on = poll_until([&] { return seen.calls >= before_kill + 2000; }, 60s);
    stop = true;
    for (auto& caller : callers) {
      caller.join();
    }
    const size_t after_kill = seen.calls.load() - before_kill;
    WARN("fleet: " << before_kill << " calls before the kill, " << after_kill << " after it, "
                   << seen.failures.load() << " failed; the killed node had "
                   << "answered " << served_before << " of them");
    INFO("first failure: " << seen.first_failure);
    CHECK(seen.failures == 0);
    CHECK(served_before >= 1);
    CHECK(went_on);
    CHECK(after_kill >= 2000);
    for (size_t i : {size_t{0}, size_t{2}}) {
      CHECK(answered(metrics[i]) >= 1);
    }
  }

  SECTION("the command takes a list of nodes and skips one that is down") {
    const auto put = run({"put", "--node", "127.0.0.1:1," + nodes[0]->address(), "--tenant", "t",
                          "--user", "u", "--session", "s"},
                         {dir.path(), "through the fleet"});
    INFO(put.err);
    CHECK(put.status == 0);
    const auto bad = run({"put", "--node", nodes[0]->address() + ",", "--tenant", "t", "--user",
                          "u", "--session", "s"},
                         {dir.path(), "x"});
    CHECK(bad.status == 2);
  }

  // The client goes before its actor system; the nodes still running are
  // stopped by their destructors.
  fleet.reset();
}
