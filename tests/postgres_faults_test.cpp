// PostgreSQL faults injected for real: backends terminated and frozen, the
// server stopped, restarted and unreachable. Every outcome must be a stored
// artifact or a typed error, and every wait must end within its bound.
//
// These tests stop and restart the server that every other PostgreSQL test
// uses, so ctest runs this executable on its own (RUN_SERIAL).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <catch2/catch.hpp>

#include <artifact_store/configure.hpp>
#include <artifact_store/error.hpp>
#include <artifact_store/store.hpp>

#include "scenarios/local_fixture.hpp"
#include "scenarios/postgres_schema.hpp"
#include "scenarios/process_counts.hpp"
#include "scenarios/scenario_support.hpp"

namespace {

using namespace std::chrono_literals;
using artifacts::errc;
using artifacts::scenarios::make_key;
using artifacts::scenarios::make_scope;
using artifacts::scenarios::put_request;
using clock_type = std::chrono::steady_clock;

[[maybe_unused]] const bool sigpipe_ignored = [] {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();

std::string unique_name(const artifacts::testing::temporary_schema& schema,
                        const std::string& label) {
  return "as-" + label + "-" + schema.name();
}

artifacts::store_config config_for(const artifacts::testing::temporary_schema& schema,
                                   const std::string& application_name, size_t pool_size) {
  artifacts::store_config config;
  config.storage.dsn = schema.dsn(application_name);
  config.storage.connect_timeout = 2s;
  config.storage.statement_timeout = 2s;
  config.pool_size = pool_size;
  config.request_timeout = 10s;
  config.close_timeout = 10s;
  return config;
}

std::unique_ptr<artifacts::scenarios::store_fixture> open_in(
    const std::shared_ptr<artifacts::testing::temporary_schema>& schema,
    const artifacts::store_config& config) {
  return artifacts::scenarios::make_local_fixture(config, {}, schema);
}

// The server processes serving `application_name`.
std::vector<int> backend_pids(const artifacts::testing::temporary_schema& schema,
                              const std::string& application_name) {
  std::vector<int> pids;
  for (const auto& row :
       schema.query("SELECT pid FROM pg_stat_activity WHERE application_name = '" +
                    application_name + "' ORDER BY pid")) {
    pids.push_back(std::stoi(row.at(0)));
  }
  return pids;
}

// Ends every session of `application_name` and waits until they are gone.
size_t terminate_backends(const artifacts::testing::temporary_schema& schema,
                          const std::string& application_name) {
  auto rows = schema.query(
      "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
      "WHERE application_name = '" +
      application_name + "'");
  return std::stoul(rows.at(0).at(0));
}

// The cluster pg_virtualenv started, driven with pg_ctlcluster.
class cluster_control {
 public:
  cluster_control() {
    const char* port = std::getenv("PGPORT");
    REQUIRE(port != nullptr);
    FILE* pipe = ::popen("pg_lsclusters --no-header", "r");
    REQUIRE(pipe != nullptr);
    char line[512];
    while (std::fgets(line, sizeof line, pipe) != nullptr) {
      std::istringstream fields{line};
      std::string version, name, cluster_port;
      fields >> version >> name >> cluster_port;
      if (cluster_port == port) {
        version_ = version;
        name_ = name;
      }
    }
    ::pclose(pipe);
    REQUIRE_FALSE(name_.empty());
  }

  // Runs pg_ctlcluster `action` (with `mode` for stop and restart); true on
  // success.
  bool run(const std::string& action, const std::string& mode = "") const {
    auto command = "pg_ctlcluster " + version_ + " " + name_ + " " + action;
    if (!mode.empty()) {
      command += " -m " + mode;
    }
    command += " >/dev/null 2>&1";
    return std::system(command.c_str()) == 0;
  }

  // Starts the server if it is down; for the destructor of a test that
  // stopped it and failed before starting it again.
  void ensure_running() const {
    if (std::system(
            ("pg_ctlcluster " + version_ + " " + name_ + " status >/dev/null 2>&1").c_str()) != 0) {
      run("start");
    }
  }

 private:
  std::string version_;
  std::string name_;
};

// Starts the cluster again when a test leaves it stopped.
struct restart_guard {
  const cluster_control& cluster;
  ~restart_guard() { cluster.ensure_running(); }
};

// Polls with fresh connections until the server answers; returns when it
// first did.
clock_type::time_point wait_until_accepting(const artifacts::testing::temporary_schema& schema,
                                            std::chrono::seconds bound) {
  auto deadline = clock_type::now() + bound;
  while (clock_type::now() < deadline) {
    try {
      schema.query("SELECT 1");
      return clock_type::now();
    } catch (const std::exception&) {
      std::this_thread::sleep_for(20ms);
    }
  }
  FAIL("the server did not accept connections within " << bound.count() << " s");
  return clock_type::now();
}

// One put as seen by the caller that made it.
struct put_outcome {
  std::string data;
  std::string id;  // empty when the put failed
  std::optional<errc> code;
  std::string message;
  clock_type::time_point started;
  clock_type::time_point finished;
};

// Writers putting distinct payloads through one client until told to stop,
// recording every outcome.
class writers {
 public:
  writers(artifacts::client& client, int count, const std::string& label) {
    for (int w = 0; w < count; ++w) {
      threads_.emplace_back([this, &client, w, label] {
        const auto scope = make_scope("faults", label, "writer-" + std::to_string(w));
        for (int n = 0; !stop_.load(); ++n) {
          put_outcome outcome;
          outcome.data = label + " writer " + std::to_string(w) + " put " + std::to_string(n) +
                         std::string(static_cast<size_t>(512 + (n * 37) % 1500), 'a' + w % 26);
          outcome.started = clock_type::now();
          auto ref = client.put(put_request(scope, outcome.data));
          outcome.finished = clock_type::now();
          if (ref) {
            outcome.id = ref->id();
            ++acknowledged_;
          } else {
            outcome.code = artifacts::code_of(ref.error());
            outcome.message = artifacts::describe(ref.error());
            // A failing store answers at once; do not spin on it.
            std::this_thread::sleep_for(5ms);
          }
          std::lock_guard<std::mutex> guard{mutex_};
          outcomes_[w].push_back(std::move(outcome));
        }
      });
    }
  }

  ~writers() { stop(); }

  void stop() {
    stop_ = true;
    for (auto& thread : threads_) {
      if (thread.joinable()) {
        thread.join();
      }
    }
  }

  // Every outcome by writer; call after stop.
  const std::map<int, std::vector<put_outcome>>& outcomes() const { return outcomes_; }

  // The puts acknowledged so far; callable while the writers run.
  size_t acknowledged() const { return acknowledged_.load(); }

  clock_type::time_point first_success_after(clock_type::time_point when) {
    std::lock_guard<std::mutex> guard{mutex_};
    auto first = clock_type::time_point::max();
    for (const auto& [writer, list] : outcomes_) {
      for (const auto& outcome : list) {
        if (!outcome.id.empty() && outcome.started >= when) {
          first = std::min(first, outcome.finished);
        }
      }
    }
    return first;
  }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<size_t> acknowledged_{0};
  std::mutex mutex_;
  std::map<int, std::vector<put_outcome>> outcomes_;
  std::vector<std::thread> threads_;
};

struct outcome_summary {
  size_t acknowledged = 0;
  size_t unavailable = 0;
  std::vector<std::string> other_failures;
  std::chrono::milliseconds slowest{0};
};

outcome_summary summarize(const std::map<int, std::vector<put_outcome>>& outcomes) {
  outcome_summary summary;
  for (const auto& [writer, list] : outcomes) {
    for (const auto& outcome : list) {
      summary.slowest =
          std::max(summary.slowest, std::chrono::duration_cast<std::chrono::milliseconds>(
                                        outcome.finished - outcome.started));
      if (!outcome.id.empty()) {
        ++summary.acknowledged;
      } else if (outcome.code == errc::unavailable) {
        ++summary.unavailable;
      } else {
        summary.other_failures.push_back(outcome.message);
      }
    }
  }
  return summary;
}

// Every acknowledged put is readable with its bytes; returns the first
// discrepancy, or "" when there is none.
std::string first_lost_put(artifacts::client& client,
                           const std::map<int, std::vector<put_outcome>>& outcomes,
                           const std::string& label) {
  for (const auto& [writer, list] : outcomes) {
    const auto scope = make_scope("faults", label, "writer-" + std::to_string(writer));
    for (const auto& outcome : list) {
      if (outcome.id.empty()) {
        continue;
      }
      auto blob = client.get(make_key(scope, outcome.id));
      if (!blob) {
        return outcome.id + ": " + artifacts::describe(blob.error());
      }
      if (!blob->found() || blob->data() != outcome.data) {
        return outcome.id + ": acknowledged but not stored with its bytes";
      }
    }
  }
  return "";
}

// Rows whose bytes do not hash to their recorded digest, and rows that share
// a key (the primary key forbids it; counted to prove it).
void check_rows_consistent(const artifacts::testing::temporary_schema& schema) {
  auto rows = schema.query(
      "SELECT count(*), count(DISTINCT (tenant, \"user\", session, task, namespace, id)), "
      "count(*) FILTER (WHERE encode(sha256(bytes), 'hex') <> sha256 "
      "OR octet_length(bytes) <> size_bytes) FROM artifacts_blobs");
  INFO("rows, distinct keys, rows whose bytes do not match their digest or size");
  CHECK(rows.at(0).at(0) == rows.at(0).at(1));
  CHECK(rows.at(0).at(2) == "0");
}

// Closes the store and checks it left no thread and no server session.
void check_nothing_left(artifacts::scenarios::store_fixture& store) {
  auto left = store.close_and_release();
  CHECK(left.threads == 0);
  CHECK(left.connections == 0);
}

}  // namespace

TEST_CASE("a connection the server ended while idle is replaced within the next request",
          "[postgres][faults]") {
  auto schema = std::make_shared<artifacts::testing::temporary_schema>();
  const auto application_name = unique_name(*schema, "idle");
  auto store = open_in(schema, config_for(*schema, application_name, 1));
  auto& c = store->client();
  const auto scope = make_scope("faults", "idle", "s");

  auto first = c.put(put_request(scope, "before the backend was terminated"));
  REQUIRE(first);
  REQUIRE(terminate_backends(*schema, application_name) == 1);

  // The worker's connection is dead; each of these meets it first, and is
  // repeated on a new connection rather than failed.
  auto second = c.put(put_request(scope, "after the backend was terminated"));
  REQUIRE(second);
  REQUIRE(terminate_backends(*schema, application_name) == 1);
  auto blob = c.get(make_key(scope, first->id()));
  REQUIRE(blob);
  CHECK(blob->data() == "before the backend was terminated");
  REQUIRE(terminate_backends(*schema, application_name) == 1);
  auto listed = c.list(artifacts::scenarios::list_request(scope));
  REQUIRE(listed);
  CHECK(listed->refs_size() == 2);

  // A delete is not repeated (a repeat would answer false for the row the
  // first attempt removed): the caller learns the outcome is unknown.
  REQUIRE(terminate_backends(*schema, application_name) == 1);
  auto removed = c.remove(make_key(scope, second->id()));
  REQUIRE_FALSE(removed);
  CHECK(artifacts::code_of(removed.error()) == errc::unavailable);
  auto again = c.remove(make_key(scope, second->id()));
  REQUIRE(again);
  CHECK(*again);

  check_nothing_left(*store);
}

TEST_CASE("backends terminated in a loop under 8 writers: no acknowledged put lost, none doubled",
          "[postgres][faults]") {
  auto schema = std::make_shared<artifacts::testing::temporary_schema>();
  const auto application_name = unique_name(*schema, "terminate");
  auto store = open_in(schema, config_for(*schema, application_name, 4));
  auto& c = store->client();
  const std::string label = "terminate";
  const auto shared_scope = make_scope("faults", label, "shared");
  const std::string shared_payload = "the same bytes from every writer, while backends die";

  // What the loop must have done for the test to mean anything.
  constexpr size_t enough_terminated = 10;
  constexpr size_t enough_acknowledged = 100;
  std::atomic<size_t> terminated{0};
  std::atomic<bool> stop_killing{false};
  std::vector<std::string> shared_ids;
  std::mutex shared_mutex;
  {
    writers load{c, 8, label};
    // Identical puts race with the writers and the terminations too.
    std::thread identical([&] {
      while (!stop_killing.load()) {
        auto ref = c.put(put_request(shared_scope, shared_payload));
        if (ref) {
          std::lock_guard<std::mutex> guard{shared_mutex};
          shared_ids.push_back(ref->id());
        }
      }
    });
    // Terminations go on for 4 s, and then until enough backends died under
    // enough acknowledged puts: a loaded machine gets there later rather
    // than with fewer. The outer bound only ends a store that never gets
    // there; the checks below then fail.
    std::thread killer([&] {
      const auto started = clock_type::now();
      auto enough = [&] {
        return terminated.load() > enough_terminated && load.acknowledged() > enough_acknowledged;
      };
      while (clock_type::now() - started < 4s ||
             (!enough() && clock_type::now() - started < 120s)) {
        std::this_thread::sleep_for(60ms);
        terminated += terminate_backends(*schema, application_name);
      }
      stop_killing = true;
    });
    killer.join();
    identical.join();
    load.stop();

    auto summary = summarize(load.outcomes());
    WARN("terminate loop: acknowledged " << summary.acknowledged << ", unavailable "
                                         << summary.unavailable << ", backends terminated "
                                         << terminated.load() << ", slowest call "
                                         << summary.slowest.count() << " ms");
    CHECK(terminated.load() > enough_terminated);
    CHECK(summary.acknowledged > enough_acknowledged);
    CHECK(summary.other_failures.empty());
    if (!summary.other_failures.empty()) {
      FAIL_CHECK("first other failure: " << summary.other_failures.front());
    }
    CHECK(summary.slowest < 10s);
    CHECK(first_lost_put(c, load.outcomes(), label) == "");
  }

  check_rows_consistent(*schema);
  REQUIRE_FALSE(shared_ids.empty());
  CHECK(std::all_of(shared_ids.begin(), shared_ids.end(),
                    [&](const std::string& id) { return id == shared_ids.front(); }));
  auto shared_rows = schema->query("SELECT count(*) FROM artifacts_blobs WHERE session = 'shared'");
  CHECK(shared_rows.at(0).at(0) == "1");

  check_nothing_left(*store);
}

TEST_CASE("a frozen backend: the request fails within its bound, the connection is replaced",
          "[postgres][faults]") {
  auto schema = std::make_shared<artifacts::testing::temporary_schema>();
  const auto application_name = unique_name(*schema, "frozen");
  auto config = config_for(*schema, application_name, 1);
  auto store = open_in(schema, config);
  auto& c = store->client();
  const auto scope = make_scope("faults", "frozen", "s");
  REQUIRE(c.put(put_request(scope, "warm up")));

  auto frozen = backend_pids(*schema, application_name);
  REQUIRE(frozen.size() == 1);
  struct thaw_guard {
    std::vector<int> pids;
    ~thaw_guard() {
      for (int pid : pids) {
        ::kill(pid, SIGCONT);
      }
    }
  } thaw{frozen};
  REQUIRE(::kill(frozen.front(), SIGSTOP) == 0);

  // The server never answers; its statement_timeout cannot fire in a
  // stopped process. The watchdog drops the connection after the statement
  // timeout and a second of grace.
  auto started = clock_type::now();
  auto stuck = c.put(put_request(scope, "sent to a frozen backend"));
  auto waited = clock_type::now() - started;
  REQUIRE_FALSE(stuck);
  CHECK(artifacts::code_of(stuck.error()) == errc::unavailable);
  WARN("frozen backend: the put failed after "
       << std::chrono::duration_cast<std::chrono::milliseconds>(waited).count() << " ms");
  CHECK(waited >= config.storage.statement_timeout);
  CHECK(waited < config.request_timeout);

  // The next request gets a new connection while the old process is still
  // stopped.
  auto next = c.put(put_request(scope, "after the frozen backend was dropped"));
  REQUIRE(next);
  auto serving = backend_pids(*schema, application_name);
  REQUIRE(serving.size() == 2);  // the frozen one has not noticed yet
  CHECK(std::find(serving.begin(), serving.end(), frozen.front()) != serving.end());

  // Freeze the new backend too and close while a put waits on it: close
  // still ends within its bound.
  auto second_frozen = backend_pids(*schema, application_name);
  second_frozen.erase(std::remove(second_frozen.begin(), second_frozen.end(), frozen.front()),
                      second_frozen.end());
  REQUIRE(second_frozen.size() == 1);
  thaw.pids.push_back(second_frozen.front());
  REQUIRE(::kill(second_frozen.front(), SIGSTOP) == 0);
  std::thread blocked([&] { (void)c.put(put_request(scope, "waiting when close begins")); });
  std::this_thread::sleep_for(200ms);
  auto closing = clock_type::now();
  auto closed = store->close();
  auto close_took = clock_type::now() - closing;
  blocked.join();
  CHECK(!closed);
  WARN("frozen backend: close took "
       << std::chrono::duration_cast<std::chrono::milliseconds>(close_took).count() << " ms");
  CHECK(close_took < config.close_timeout);
  auto left = store->close_and_release();
  CHECK(left.threads == 0);
}

TEST_CASE("an unreachable server fails open_store within the connect timeout",
          "[postgres][faults]") {
  caf::actor_system_config cfg;
  artifacts::configure_actor_system(cfg);
  caf::actor_system sys{cfg};

  // A port nobody listens on: refused at once.
  int probe = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  socklen_t length = sizeof address;
  REQUIRE(::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  const auto closed_port = ntohs(address.sin_port);
  ::close(probe);

  artifacts::store_config config;
  config.storage.connect_timeout = 2s;
  config.storage.dsn = "postgresql://nobody@127.0.0.1:" + std::to_string(closed_port) + "/none";
  auto started = clock_type::now();
  auto refused = artifacts::open_store(sys, config);
  REQUIRE_FALSE(refused);
  CHECK(artifacts::code_of(refused.error()) == errc::unavailable);
  CHECK(clock_type::now() - started < config.storage.connect_timeout);

  // A listener that never answers the startup packet: the connect timeout
  // ends the wait.
  int silent = ::socket(AF_INET, SOCK_STREAM, 0);
  address.sin_port = 0;
  REQUIRE(::bind(silent, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::listen(silent, 8) == 0);
  length = sizeof address;
  REQUIRE(::getsockname(silent, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  config.storage.dsn = "postgresql://nobody@127.0.0.1:" + std::to_string(ntohs(address.sin_port)) +
                       "/none?sslmode=disable";
  started = clock_type::now();
  auto unanswered = artifacts::open_store(sys, config);
  auto waited = clock_type::now() - started;
  ::close(silent);
  REQUIRE_FALSE(unanswered);
  CHECK(artifacts::code_of(unanswered.error()) == errc::unavailable);
  CHECK(waited >= config.storage.connect_timeout - 100ms);
  CHECK(waited < config.storage.connect_timeout + 2s);
}

TEST_CASE("the server restarted under 8 writers: acknowledged puts survive, service resumes",
          "[postgres][faults][restart]") {
  cluster_control cluster;
  restart_guard guard{cluster};
  auto schema = std::make_shared<artifacts::testing::temporary_schema>();
  const auto application_name = unique_name(*schema, "restart");
  auto config = config_for(*schema, application_name, 4);
  auto store = open_in(schema, config);
  auto& c = store->client();
  const std::string label = "restart";
  // Threads the actor system starts on first use are not the store's.
  const auto warm_up = make_scope("faults", label, "warm-up");
  REQUIRE(c.put(put_request(warm_up, "warm up")));
  const auto threads_before = artifacts::scenarios::live_threads();

  clock_type::time_point accepting;
  {
    writers load{c, 8, label};
    std::this_thread::sleep_for(1s);
    // Immediate mode: the server crashes and recovers from its WAL, the
    // harshest restart for acknowledged commits.
    REQUIRE(cluster.run("restart", "immediate"));
    accepting = wait_until_accepting(*schema, 30s);
    std::this_thread::sleep_for(2500ms);
    load.stop();

    auto summary = summarize(load.outcomes());
    auto resumed = load.first_success_after(accepting);
    INFO("acknowledged " << summary.acknowledged << ", unavailable " << summary.unavailable);
    WARN("restart: acknowledged " << summary.acknowledged << ", unavailable " << summary.unavailable
                                  << ", slowest call " << summary.slowest.count() << " ms");
    CHECK(summary.unavailable > 0);
    CHECK(summary.other_failures.empty());
    if (!summary.other_failures.empty()) {
      FAIL_CHECK("first other failure: " << summary.other_failures.front());
    }
    CHECK(summary.slowest < config.request_timeout);
    REQUIRE(resumed != clock_type::time_point::max());
    WARN("restart: first put served "
         << std::chrono::duration_cast<std::chrono::milliseconds>(resumed - accepting).count()
         << " ms after the server accepted connections");
    CHECK(resumed - accepting < 2s);
    CHECK(first_lost_put(c, load.outcomes(), label) == "");
  }
  check_rows_consistent(*schema);
  // The pool is the same size as before: reconnecting started no thread.
  CHECK(artifacts::scenarios::excess(artifacts::scenarios::live_threads(), threads_before) == 0);
  check_nothing_left(*store);
}

TEST_CASE("the server down for a while: requests fail fast, then recover by themselves",
          "[postgres][faults][restart]") {
  cluster_control cluster;
  restart_guard guard{cluster};
  auto schema = std::make_shared<artifacts::testing::temporary_schema>();
  const auto application_name = unique_name(*schema, "down");
  auto config = config_for(*schema, application_name, 2);
  auto store = open_in(schema, config);
  auto& c = store->client();
  const auto scope = make_scope("faults", "down", "s");
  auto before = c.put(put_request(scope, "stored before the server went down"));
  REQUIRE(before);

  REQUIRE(cluster.run("stop", "fast"));
  std::vector<std::chrono::milliseconds> waits;
  for (int n = 0; n < 40; ++n) {
    auto started = clock_type::now();
    auto ref = c.put(put_request(scope, "while the server is down " + std::to_string(n)));
    waits.push_back(
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - started));
    REQUIRE_FALSE(ref);
    CHECK(artifacts::code_of(ref.error()) == errc::unavailable);
    std::this_thread::sleep_for(25ms);
  }
  std::sort(waits.begin(), waits.end());
  WARN("server down: median wait " << waits[waits.size() / 2].count() << " ms, longest "
                                   << waits.back().count() << " ms");
  // Refused connections fail at once and the backoff answers in between:
  // nobody waits for a timeout.
  CHECK(waits.back() < config.storage.connect_timeout);

  REQUIRE(cluster.run("start"));
  auto accepting = wait_until_accepting(*schema, 30s);
  std::optional<artifacts::v1::ArtifactRef> after;
  while (!after && clock_type::now() - accepting < 5s) {
    auto ref = c.put(put_request(scope, "after the server came back"));
    if (ref) {
      after = *ref;
    } else {
      CHECK(artifacts::code_of(ref.error()) == errc::unavailable);
      std::this_thread::sleep_for(20ms);
    }
  }
  REQUIRE(after);
  auto recovered = clock_type::now() - accepting;
  WARN("server down: served again "
       << std::chrono::duration_cast<std::chrono::milliseconds>(recovered).count()
       << " ms after the server accepted connections");
  CHECK(recovered < 2s);
  auto blob = c.get(make_key(scope, before->id()));
  REQUIRE(blob);
  CHECK(blob->data() == "stored before the server went down");
  check_nothing_left(*store);
}
