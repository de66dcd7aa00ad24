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
#include <future>
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

#include "scenarios/concurrent_callers.hpp"
#include "scenarios/load_scale.hpp"
#include "scenarios/local_fixture.hpp"
#include "scenarios/polling.hpp"
#include "scenarios/postgres_schema.hpp"
#include "scenarios/process_counts.hpp"
#include "scenarios/put_ledger.hpp"
#include "scenarios/put_writers.hpp"
#include "scenarios/scenario_support.hpp"
#include "scenarios/test_files.hpp"
#include "tests/command_runner.hpp"
#include "tests/http_scrape.hpp"

namespace {

using namespace std::chrono_literals;
using artifacts::errc;
using artifacts::scenarios::failure_log;
using artifacts::scenarios::hang_bound;
using artifacts::scenarios::make_key;
using artifacts::scenarios::make_scope;
using artifacts::scenarios::poll_until;
using artifacts::scenarios::put_ledger;
using artifacts::scenarios::put_request;
using artifacts::scenarios::record;
using artifacts::scenarios::seconds;
using artifacts::scenarios::summarize;
using artifacts::scenarios::timed_out;
using artifacts::scenarios::writers;
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

// A store in `schema` on `config`, whose fixture counts the server
// connections named `application_name` (the name config's DSN gives them).
std::unique_ptr<artifacts::scenarios::store_fixture> open_in(
    const std::shared_ptr<artifacts::testing::temporary_schema>& schema,
    const artifacts::store_config& config, const std::string& application_name) {
  return artifacts::scenarios::make_local_fixture(
      config, [schema, application_name] { return schema->connections_named(application_name); },
      schema);
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
  // success. What it printed is kept for output().
  bool run(const std::string& action, const std::string& mode = "") const {
    auto command = "pg_ctlcluster " + version_ + " " + name_ + " " + action;
    if (!mode.empty()) {
      command += " -m " + mode;
    }
    command += " 2>&1";
    output_.clear();
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
      output_ = "popen failed";
      return false;
    }
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) {
      output_ += buffer;
    }
    return ::pclose(pipe) == 0;
  }

  // What the last run printed.
  const std::string& output() const { return output_; }

  // True when pg_ctlcluster reports the server running.
  bool running() const {
    return std::system(
               ("pg_ctlcluster " + version_ + " " + name_ + " status >/dev/null 2>&1").c_str()) ==
           0;
  }

  // Crashes the server (immediate mode: no shutdown checkpoint, so it
  // recovers from its WAL when it starts) and starts it again. The start
  // waits until the stopped server is seen as down: pg_ctlcluster's own
  // restart sometimes starts while the old postmaster still counts as
  // running, and then refuses ("Cluster is already running").
  bool crash_and_restart(std::chrono::seconds bound) const {
    if (!run("stop", "immediate")) {
      return false;
    }
    const auto deadline = clock_type::now() + bound;
    while (running()) {
      if (clock_type::now() > deadline) {
        output_ = "the server still ran " + std::to_string(bound.count()) + " s after its stop";
        return false;
      }
      std::this_thread::sleep_for(20ms);
    }
    return run("start");
  }

  // Starts the server if it is down; for the destructor of a test that
  // stopped it and failed before starting it again.
  void ensure_running() const {
    if (!running()) {
      run("start");
    }
  }

 private:
  std::string version_;
  std::string name_;
  mutable std::string output_;
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

// Checks that the store holds exactly what `ledger` says: every
// acknowledged put, read back through `c` with the ref it was acknowledged
// with and its bytes, and seen in the table; and no row but those and puts
// whose outcome was left unknown. Returns what the table held.
artifacts::scenarios::ledger_rows check_holds_exactly(
    artifacts::client& c, const artifacts::testing::temporary_schema& schema,
    const put_ledger& ledger, const std::string& label) {
  failure_log served;
  failure_log rows;
  ledger.check_served(c, served);
  auto found = ledger.check_rows(schema, rows);
  WARN(label << ": " << found.rows << " rows, " << found.acknowledged
             << " of them acknowledged artifacts, " << found.unknown
             << " of puts answered unavailable");
  INFO("acknowledged artifacts " << ledger.acknowledged_artifacts() << "; rows " << found.rows
                                 << ": " << found.acknowledged << " acknowledged, " << found.unknown
                                 << " of puts answered unavailable");
  INFO("read back through the store: " << served.summary());
  INFO("rows: " << rows.summary());
  CHECK(served.count() == 0);
  CHECK(rows.count() == 0);
  CHECK(found.acknowledged == ledger.acknowledged_artifacts());
  CHECK(found.rows == found.acknowledged + found.unknown);
  return found;
}

// Closes the store and checks it left no thread and no server session. The
// count must first see the store's sessions (while the store is open, there
// is at least one): a count that sees none would report none left whatever
// the store left.
void check_nothing_left(artifacts::scenarios::store_fixture& store) {
  const auto open = store.backend_connections();
  REQUIRE(open.has_value());
  CHECK(*open > 0);
  auto left = store.close_and_release();
  CHECK(left.threads == 0);
  CHECK(left.connections == 0);
}

}  // namespace

TEST_CASE("a connection the server ended while idle is replaced within the next request",
          "[postgres][faults]") {
  auto schema = std::make_shared<artifacts::testing::temporary_schema>();
  const auto application_name = unique_name(*schema, "idle");
  auto store = open_in(schema, config_for(*schema, application_name, 1), application_name);
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
  auto config = config_for(*schema, application_name, 4);
  auto store = open_in(schema, config, application_name);
  auto& c = store->client();
  const std::string label = "terminate";
  const auto shared_scope = make_scope("faults", label, "shared");
  const std::string shared_payload = "the same bytes from every writer, while backends die";

  // What the loop must have done for the test to mean anything.
  constexpr size_t enough_terminated = 10;
  constexpr size_t enough_acknowledged = 100;
  std::atomic<size_t> terminated{0};
  std::atomic<bool> stop_killing{false};
  std::vector<artifacts::v1::ArtifactRef> shared_refs;
  size_t shared_unavailable = 0;
  std::vector<std::string> shared_other_failures;
  put_ledger ledger;
  {
    writers load{c, 8, label};
    // Identical puts race with the writers and the terminations too.
    std::thread identical([&] {
      while (!stop_killing.load()) {
        auto ref = c.put(put_request(shared_scope, shared_payload));
        if (ref) {
          shared_refs.push_back(std::move(*ref));
        } else if (artifacts::code_of(ref.error()) == errc::unavailable &&
                   !timed_out(artifacts::describe(ref.error()))) {
          ++shared_unavailable;
        } else {
          shared_other_failures.push_back(artifacts::describe(ref.error()));
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
    WARN("terminate loop: acknowledged "
         << summary.acknowledged << ", unavailable " << summary.unavailable
         << ", backends terminated " << terminated.load() << ", slowest call "
         << summary.slowest.count() << " ms; identical puts " << shared_refs.size()
         << " acknowledged, " << shared_unavailable << " unavailable");
    CHECK(terminated.load() > enough_terminated);
    CHECK(summary.acknowledged > enough_acknowledged);
    CHECK(summary.other_failures.empty());
    if (!summary.other_failures.empty()) {
      FAIL_CHECK("first other failure: " << summary.other_failures.front());
    }
    CHECK(shared_other_failures.empty());
    if (!shared_other_failures.empty()) {
      FAIL_CHECK("first other failure of an identical put: " << shared_other_failures.front());
    }
    // Every call ended with the store's answer, not with the client giving
    // up on it.
    CHECK(summary.timed_out == 0);
    CHECK(summary.slowest < config.request_timeout);
    record(ledger, load.outcomes(), label);
  }

  REQUIRE_FALSE(shared_refs.empty());
  for (const auto& ref : shared_refs) {
    ledger.acknowledged(put_request(shared_scope, shared_payload), ref);
  }
  if (shared_unavailable > 0) {
    ledger.unknown(put_request(shared_scope, shared_payload));
  }
  // Every acknowledged put stored once, with its ref and bytes, and nothing
  // else; the identical puts all answered the one stored ref.
  check_holds_exactly(c, *schema, ledger, label);
  CHECK(std::all_of(shared_refs.begin(), shared_refs.end(), [&](const auto& ref) {
    return artifacts::scenarios::same(ref, shared_refs.front());
  }));
  auto shared_listed = artifacts::scenarios::list_all(c, shared_scope);
  REQUIRE(shared_listed.size() == 1);
  CHECK_SAME(shared_listed.front(), shared_refs.front());
  auto shared_rows = schema->query("SELECT count(*) FROM artifacts_blobs WHERE session = 'shared'");
  CHECK(shared_rows.at(0).at(0) == "1");
  // The tenants' counts (migration 6) moved with each commit and with no
  // transaction a termination rolled back: they add up to the rows.
  CHECK(schema->query("SELECT (SELECT count(*) FROM artifacts_blobs),"
                      " (SELECT coalesce(sum(size_bytes), 0) FROM artifacts_blobs)") ==
        schema->query("SELECT coalesce(sum(count), 0), coalesce(sum(bytes), 0)"
                      " FROM artifacts_usage"));

  check_nothing_left(*store);
}

TEST_CASE("a frozen backend: the request fails within its bound, the connection is replaced",
          "[postgres][faults]") {
  auto schema = std::make_shared<artifacts::testing::temporary_schema>();
  const auto application_name = unique_name(*schema, "frozen");
  auto config = config_for(*schema, application_name, 1);
  auto store = open_in(schema, config, application_name);
  auto& c = store->client();
  const auto scope = make_scope("faults", "frozen", "s");
  REQUIRE(c.put(put_request(scope, "warm up")));

  auto frozen = backend_pids(*schema, application_name);
  REQUIRE(frozen.size() == 1);
  struct thaw_guard {
    std::vector<int> pids;
    void thaw() {
      for (int pid : pids) {
        ::kill(pid, SIGCONT);
      }
      pids.clear();
    }
    ~thaw_guard() { thaw(); }
  } thaw{frozen};
  REQUIRE(::kill(frozen.front(), SIGSTOP) == 0);

  // The server never answers; its statement_timeout cannot fire in a
  // stopped process. The watchdog drops the connection after the statement
  // timeout and a second of grace, well before the request timeout.
  auto started = clock_type::now();
  auto stuck = c.put(put_request(scope, "sent to a frozen backend"));
  auto waited = clock_type::now() - started;
  REQUIRE_FALSE(stuck);
  CHECK(artifacts::code_of(stuck.error()) == errc::unavailable);
  CHECK_THAT(artifacts::message_of(stuck.error()),
             Catch::Matchers::Contains("PostgreSQL did not answer within"));
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

  // Freeze the new backend too, in the middle of a put, and close while the
  // put waits on it: close still ends within its bound. The put's statement
  // is held by a lock until the backend is stopped, so that it is seen to
  // have begun on the server (pg_stat_activity) before the freeze.
  auto second_frozen = backend_pids(*schema, application_name);
  second_frozen.erase(std::remove(second_frozen.begin(), second_frozen.end(), frozen.front()),
                      second_frozen.end());
  REQUIRE(second_frozen.size() == 1);
  artifacts::testing::table_lock lock{*schema, "artifacts_blobs"};
  auto blocked = std::async(std::launch::async,
                            [&] { return c.put(put_request(scope, "waiting when close begins")); });
  // Found before the server's statement timeout cancels the wait.
  const int waiting =
      schema->statement_waiting_for_lock(application_name, config.storage.statement_timeout);
  REQUIRE(waiting == second_frozen.front());
  thaw.pids.push_back(waiting);
  REQUIRE(::kill(waiting, SIGSTOP) == 0);
  // Stopped while its statement still waited, and the put still waits.
  REQUIRE(schema->statement_waiting_for_lock(application_name, 0ms) == waiting);
  lock.release();
  REQUIRE(blocked.wait_for(0ms) == std::future_status::timeout);

  // Both frozen sessions count: the connection count sees this store's.
  const auto open_sessions = store->backend_connections();
  REQUIRE(open_sessions.has_value());
  CHECK(*open_sessions == 2);
  auto closing = clock_type::now();
  auto closed = store->close();
  auto close_took = clock_type::now() - closing;
  INFO("close: " << (closed ? artifacts::describe(closed) : std::string("ok")));
  CHECK(!closed);
  WARN("frozen backend: close took "
       << std::chrono::duration_cast<std::chrono::milliseconds>(close_took).count() << " ms");
  CHECK(close_took < config.close_timeout);
  // The blocked put was answered by the watchdog before its worker stopped.
  REQUIRE(blocked.wait_for(hang_bound(30s)) == std::future_status::ready);
  auto blocked_put = blocked.get();
  INFO("the put blocked on the frozen backend: " << artifacts::scenarios::outcome(blocked_put));
  REQUIRE_FALSE(blocked_put);
  CHECK(artifacts::code_of(blocked_put.error()) == errc::unavailable);
  CHECK_THAT(artifacts::message_of(blocked_put.error()),
             Catch::Matchers::Contains("PostgreSQL did not answer within"));

  // Thawed, the frozen backends find their connections closed and end.
  thaw.thaw();
  auto left = store->close_and_release();
  CHECK(left.threads == 0);
  CHECK(left.connections == 0);
}

TEST_CASE(
    "an unreachable server fails open_store with unavailable, a silent one at the connect "
    "timeout",
    "[postgres][faults]") {
  caf::actor_system_config cfg;
  artifacts::configure_actor_system(cfg);
  caf::actor_system sys{cfg};

  // A port nobody listens on: refused at once, without waiting for the
  // connect timeout.
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
  config.storage.connect_timeout = hang_bound(30s);
  config.storage.dsn = "postgresql://nobody@127.0.0.1:" + std::to_string(closed_port) + "/none";
  auto started = clock_type::now();
  auto refused = artifacts::open_store(sys, config);
  auto refused_after = clock_type::now() - started;
  REQUIRE_FALSE(refused);
  CHECK(artifacts::code_of(refused.error()) == errc::unavailable);
  WARN("unreachable server: a refused connection failed open_store after "
       << seconds(refused_after) << " s (connect timeout "
       << seconds(config.storage.connect_timeout) << " s)");
  CHECK(refused_after < config.storage.connect_timeout);

  // A listener that never answers the startup packet: the connect timeout
  // ends the wait.
  config.storage.connect_timeout = 2s;
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
  WARN("unreachable server: a silent listener failed open_store after "
       << seconds(waited) << " s (connect timeout " << seconds(config.storage.connect_timeout)
       << " s)");
  CHECK(waited >= config.storage.connect_timeout - 100ms);
  CHECK(waited < config.storage.connect_timeout + hang_bound(30s));
}

TEST_CASE("the server restarted under 8 writers: acknowledged puts survive, service resumes",
          "[postgres][faults][restart]") {
  cluster_control cluster;
  restart_guard guard{cluster};
  auto schema = std::make_shared<artifacts::testing::temporary_schema>();
  const auto application_name = unique_name(*schema, "restart");
  auto config = config_for(*schema, application_name, 4);
  auto store = open_in(schema, config, application_name);
  auto& c = store->client();
  const std::string label = "restart";
  // Threads the actor system starts on first use are not the store's.
  const auto warm_up = make_scope("faults", label, "warm-up");
  auto warmed = c.put(put_request(warm_up, "warm up"));
  REQUIRE(warmed);
  const auto threads_before = artifacts::scenarios::live_threads();

  // Puts acknowledged before the crash, without which "acknowledged puts
  // survive" would hold for none.
  constexpr size_t enough_before_crash = 100;
  put_ledger ledger;
  ledger.acknowledged(put_request(warm_up, "warm up"), *warmed);
  {
    writers load{c, 8, label};
    REQUIRE(
        poll_until([&] { return load.acknowledged() >= enough_before_crash; }, hang_bound(30s)));
    // Immediate mode: the server crashes and recovers from its WAL, the
    // harshest restart for acknowledged commits.
    const auto crashing = clock_type::now();
    {
      const bool restarted = cluster.crash_and_restart(30s);
      INFO("pg_ctlcluster: " << cluster.output());
      REQUIRE(restarted);
    }
    const auto accepting = wait_until_accepting(*schema, 30s);
    // Service resumes by itself: every writer has a put acknowledged that
    // it began once the server accepted connections again.
    const bool resumed_for_all =
        poll_until([&] { return load.writers_served_after(accepting) == 8; }, hang_bound(30s));
    const auto every_writer_served = clock_type::now() - accepting;
    const auto before_crash = load.acknowledged_before(crashing);
    load.stop();

    auto summary = summarize(load.outcomes());
    auto resumed = load.first_success_after(accepting);
    INFO("acknowledged " << summary.acknowledged << " (" << before_crash
                         << " before the crash), unavailable " << summary.unavailable);
    WARN("restart: acknowledged " << summary.acknowledged << " (" << before_crash
                                  << " before the crash), unavailable " << summary.unavailable
                                  << ", slowest call " << summary.slowest.count() << " ms");
    CHECK(before_crash >= enough_before_crash);
    CHECK(summary.unavailable > 0);
    CHECK(summary.other_failures.empty());
    if (!summary.other_failures.empty()) {
      FAIL_CHECK("first other failure: " << summary.other_failures.front());
    }
    CHECK(summary.timed_out == 0);
    CHECK(summary.slowest < config.request_timeout);
    if (resumed != clock_type::time_point::max()) {
      WARN("restart: service resumed " << seconds(resumed - accepting)
                                       << " s after the server accepted connections, for every "
                                          "writer after "
                                       << seconds(every_writer_served) << " s");
    }
    INFO("writers served again within " << seconds(every_writer_served) << " s: "
                                        << load.writers_served_after(accepting) << " of 8");
    CHECK(resumed_for_all);
    record(ledger, load.outcomes(), label);
  }
  // Every put acknowledged before, during and after the crash is stored once
  // with its ref and bytes; nothing else is.
  check_holds_exactly(c, *schema, ledger, label);
  // The pool is the same size as before: reconnecting started no thread.
  CHECK(artifacts::scenarios::excess(artifacts::scenarios::live_threads(), threads_before) == 0);
  check_nothing_left(*store);
}

TEST_CASE("the server down for a while: requests fail with unavailable, then recover by themselves",
          "[postgres][faults][restart]") {
  cluster_control cluster;
  restart_guard guard{cluster};
  auto schema = std::make_shared<artifacts::testing::temporary_schema>();
  const auto application_name = unique_name(*schema, "down");
  auto config = config_for(*schema, application_name, 2);
  auto store = open_in(schema, config, application_name);
  auto& c = store->client();
  const auto scope = make_scope("faults", "down", "s");
  auto before = c.put(put_request(scope, "stored before the server went down"));
  REQUIRE(before);

  {
    const bool stopped = cluster.run("stop", "fast");
    INFO("pg_ctlcluster: " << cluster.output());
    REQUIRE(stopped);
  }
  std::vector<std::chrono::milliseconds> waits;
  for (int n = 0; n < 40; ++n) {
    auto started = clock_type::now();
    auto ref = c.put(put_request(scope, "while the server is down " + std::to_string(n)));
    waits.push_back(
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - started));
    REQUIRE_FALSE(ref);
    INFO("put " << n << ": " << artifacts::describe(ref.error()));
    CHECK(artifacts::code_of(ref.error()) == errc::unavailable);
    // Answered by the store, not given up on by the client.
    CHECK_FALSE(timed_out(artifacts::message_of(ref.error())));
    // Spread over a second and more, so that the backoff has delays to
    // answer in between.
    std::this_thread::sleep_for(25ms);
  }
  std::sort(waits.begin(), waits.end());
  WARN("server down: median wait " << waits[waits.size() / 2].count() << " ms, longest "
                                   << waits.back().count() << " ms");
  // Refused connections fail and the backoff answers in between: no put
  // waits for its request timeout.
  CHECK(waits.back() < config.request_timeout);

  {
    const bool started = cluster.run("start");
    INFO("pg_ctlcluster: " << cluster.output());
    REQUIRE(started);
  }
  auto accepting = wait_until_accepting(*schema, 30s);
  std::optional<artifacts::v1::ArtifactRef> after;
  while (!after && clock_type::now() - accepting < hang_bound(30s)) {
    auto ref = c.put(put_request(scope, "after the server came back"));
    if (ref) {
      after = *ref;
    } else {
      CHECK(artifacts::code_of(ref.error()) == errc::unavailable);
      std::this_thread::sleep_for(20ms);
    }
  }
  auto recovered = clock_type::now() - accepting;
  INFO("no put served in the " << seconds(recovered) << " s after the server came back");
  REQUIRE(after);
  WARN("server down: service resumed " << seconds(recovered) << " s after the server came back");
  auto blob = c.get(make_key(scope, before->id()));
  REQUIRE(blob);
  CHECK(blob->data() == "stored before the server went down");
  check_nothing_left(*store);
}

namespace {

// Polls `path` on `metrics` until it answers `status`, or `bound` passes;
// the last status seen.
int wait_for_status(const std::string& metrics, int status, std::chrono::seconds bound) {
  const auto deadline = clock_type::now() + bound;
  int seen = 0;
  while ((seen = artifacts::testing::command::http_get(metrics, "/readyz").status) != status &&
         clock_type::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  return seen;
}

}  // namespace

TEST_CASE("a node's /readyz answers 503 while PostgreSQL is down and 200 once it is back",
          "[postgres][faults][restart][readyz]") {
  cluster_control cluster;
  restart_guard guard{cluster};
  artifacts::testing::temporary_schema schema;
  artifacts::testing::temp_folder dir{"readyz"};
  artifacts::testing::command::node serving{
      dir.path(), {"--dsn", schema.dsn(), "--metrics-address", "127.0.0.1:0", "--pool", "2"}};
  const std::string metrics = serving.next_line().substr(std::string("metrics on ").size());
  CHECK(wait_for_status(metrics, 200, 30s) == 200);

  {
    const bool stopped = cluster.run("stop", "fast");
    INFO("pg_ctlcluster: " << cluster.output());
    REQUIRE(stopped);
  }
  auto down = artifacts::testing::command::http_get(metrics, "/readyz");
  for (const auto deadline = clock_type::now() + 30s;
       down.status != 503 && clock_type::now() < deadline;) {
    std::this_thread::sleep_for(50ms);
    down = artifacts::testing::command::http_get(metrics, "/readyz");
  }
  CHECK(down.status == 503);
  CHECK_THAT(down.body, Catch::Matchers::StartsWith("unavailable: "));
  // The process itself is alive all along.
  CHECK(artifacts::testing::command::http_get(metrics, "/healthz").status == 200);

  {
    const bool started = cluster.run("start");
    INFO("pg_ctlcluster: " << cluster.output());
    REQUIRE(started);
  }
  const auto accepting = wait_until_accepting(schema, 30s);
  CHECK(wait_for_status(metrics, 200, 30s) == 200);
  WARN("/readyz: 200 again " << seconds(clock_type::now() - accepting)
                             << " s after the server accepted connections");
  auto scraped = artifacts::testing::command::http_get(metrics, "/metrics");
  CHECK(artifacts::testing::command::sample(scraped.body,
                                            "artifact_store_backend_reconnects_total") >= 1);
  CHECK(serving.stop() == 0);
}
