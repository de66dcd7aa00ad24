#include "cli/bench_command.hpp"

#include <chrono>
#include <exception>
#include <iostream>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include "actors/client.hpp"
#include "actors/configure.hpp"
#include "actors/error.hpp"
#include "actors/store.hpp"
#include "cli/client_session.hpp"
#include "cli/exit_status.hpp"
#include "cli/flags.hpp"
#include "cli/report.hpp"
#include "cli/store_target.hpp"
#include "scenarios/bench/actor_runner.hpp"
#include "scenarios/bench/baseline.hpp"
#include "scenarios/bench/report.hpp"
#include "scenarios/bench/runner.hpp"
#include "scenarios/bench/store_target.hpp"
#include "storage/dsn.hpp"
#include "storage/errc.hpp"

namespace artifacts::cli {

struct bench_command::flags {
  client_flags target;
  std::string workload = "put";
  std::string payload = "1KiB";
  double get_ratio = 0.9;
  size_t concurrency = 1;
  size_t pool = store_config{}.pool_size;
  double duration_s = 5;
  uint64_t ops = 0;
  double warmup_s = 1;
  std::string callers = "threads";
  std::string baseline;
  bool json = false;
};

namespace {

// An in-process store opened with the requested pool, and its client;
// destroyed client first, then the store closed, then the actor system.
struct local_store {
  std::unique_ptr<caf::actor_system_config> config;
  std::unique_ptr<caf::actor_system> system;
  std::optional<store> opened;
  std::unique_ptr<client> shared;

  ~local_store() {
    shared.reset();
    if (opened) {
      (void)opened->close(*system);
    }
    opened.reset();
    system.reset();
  }
};

caf::error open_local(local_store& local, const std::string& dsn, size_t pool,
                      const client_flags& target) {
  local.config = std::make_unique<caf::actor_system_config>();
  configure_actor_system(*local.config);
  tune_scheduler_for_request_latency(*local.config);
  try {
    local.system = std::make_unique<caf::actor_system>(*local.config);
  } catch (const std::exception& e) {
    return make_error(errc::internal, std::string("cannot start the actor system: ") + e.what());
  }
  store_config config;
  config.storage.dsn = dsn;
  config.pool_size = pool;
  config.request_timeout = std::chrono::milliseconds{target.timeout_ms};
  config.close_timeout = config.request_timeout;
  auto opened = open_store(*local.system, config);
  if (!opened) {
    return std::move(opened.error());
  }
  local.opened = std::move(*opened);
  local.shared = std::make_unique<client>(*local.system, *local.opened);
  return caf::none;
}

std::string target_name(const store_target& where) {
  if (where.node) {
    return "node";
  }
  switch (parse_dsn(where.dsn).kind) {
    case driver_kind::postgres:
      return "postgres";
    case driver_kind::sqlite:
      return "sqlite";
    case driver_kind::memory:
      return "memory";
    case driver_kind::fs:
      return "fs";
  }
  return "?";
}

bench::run_scope new_run_scope() {
  bench::run_scope where;
  where.scope.set_tenant("artifact-store-bench");
  where.scope.set_user("bench");
  where.scope.set_session(bench::new_run_tag());
  where.name_space = "bench";
  return where;
}

}  // namespace

bench_command::bench_command(CLI::App& app) : flags_(std::make_unique<flags>()) {
  auto& f = *flags_;
  command_ = app.add_subcommand(
      "bench", "measure the store's throughput and latency, optionally beside a baseline");
  add_client_flags(*command_, f.target);
  command_
      ->add_option("--workload", f.workload,
                   "put (new bytes), put-dup (the same bytes), get (stored artifacts), mixed")
      ->check(CLI::IsMember({"put", "put-dup", "get", "mixed"}))
      ->capture_default_str()
      ->group("Workload");
  command_->add_option("--payload", f.payload, "payload size: bytes, or with KiB, MiB")
      ->check(
          [](const std::string& text) {
            return bench::parse_byte_size(text) ? std::string{} : "not a size: " + text;
          },
          "SIZE")
      ->capture_default_str()
      ->group("Workload");
  command_->add_option("--get-ratio", f.get_ratio, "share of gets in the mixed workload")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str()
      ->group("Workload");
  command_->add_option("--concurrency", f.concurrency, "concurrent callers")
      ->check(CLI::Range(size_t{1}, size_t{4096}))
      ->capture_default_str()
      ->group("Workload");
  command_
      ->add_option("--callers", f.callers,
                   "threads (each blocks on a call through one shared client) or actors (each "
                   "keeps one request in flight and sends the next from the reply)")
      ->check(CLI::IsMember({"threads", "actors"}))
      ->capture_default_str()
      ->group("Workload");
  command_
      ->add_option("--pool", f.pool, "workers of an in-process store, each with its own connection")
      ->check(CLI::Range(size_t{1}, size_t{1024}))
      ->capture_default_str()
      ->group("Workload");
  auto* duration = command_->add_option("--duration", f.duration_s, "seconds to measure")
                       ->check(CLI::Range(0.1, 86400.0))
                       ->capture_default_str()
                       ->group("Workload");
  command_->add_option("--ops", f.ops, "measure this many operations instead of a duration")
      ->check(CLI::Range(uint64_t{1}, UINT64_MAX))
      ->excludes(duration)
      ->group("Workload");
  command_->add_option("--warmup", f.warmup_s, "seconds of unmeasured operations first")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str()
      ->group("Workload");
  command_
      ->add_option("--baseline", f.baseline,
                   "also run, in this process, seed (libpqxx, the original statements) or raw "
                   "(libpq, one statement, binary bytea); PostgreSQL DSNs only")
      ->check(CLI::IsMember({"seed", "raw"}))
      ->group("Workload");
  command_->add_flag("--json", f.json, "print one JSON object instead of a table")->group("Output");
}

bench_command::~bench_command() = default;

bool bench_command::parsed() const {
  return command_->parsed();
}

int bench_command::run() const {
  const auto& f = *flags_;
  const auto where = resolve_target(f.target);
  std::string name;
  try {
    name = target_name(where);
  } catch (const store_error& e) {
    return report_error(e.code(), e.what());
  }
  if (!f.baseline.empty() && name != "postgres") {
    throw CLI::ValidationError("--baseline",
                               "needs a PostgreSQL --dsn (postgresql://… or a "
                               "libpq keyword string), not a " +
                                   name + " target");
  }

  bench::run_settings settings;
  settings.workload = *bench::parse_workload(f.workload);
  settings.payload_bytes = *bench::parse_byte_size(f.payload);
  settings.get_ratio = f.get_ratio;
  settings.concurrency = f.concurrency;
  settings.duration = std::chrono::duration<double>(f.duration_s);
  settings.ops = f.ops;
  settings.warmup = std::chrono::duration<double>(f.warmup_s);

  local_store local;
  std::unique_ptr<client_session> remote;
  client* shared = nullptr;
  if (where.node) {
    auto session = client_session::open(where, f.target);
    if (!session) {
      return report_error(session.error());
    }
    remote = std::move(*session);
    shared = &remote->client();
  } else {
    if (auto err = open_local(local, where.dsn, f.pool, f.target)) {
      return report_error(err);
    }
    shared = local.shared.get();
  }

  bench::run_description what;
  what.settings = settings;
  what.pool_size = where.node ? 0 : f.pool;
  what.target = name;
  what.callers = f.callers;
  bench::run_result measured;
  std::optional<bench::run_result> baseline;
  try {
    const auto where_runs = new_run_scope();
    auto store_target = bench::make_store_target(*shared, where_runs);
    if (f.callers == "actors") {
      auto& system = where.node ? remote->system() : *local.system;
      measured = bench::run_caller_actors(system, shared->target(), *store_target, where_runs,
                                          settings, std::chrono::milliseconds{f.target.timeout_ms});
    } else {
      measured = bench::run(*store_target, settings);
    }
    if (!f.baseline.empty()) {
      auto direct =
          bench::make_baseline(*bench::parse_baseline(f.baseline), where.dsn, new_run_scope());
      baseline = bench::run(*direct, settings);
    }
  } catch (const store_error& e) {
    return report_error(e.code(), "bench: " + std::string(e.what()));
  } catch (const std::exception& e) {
    return report_error(errc::unavailable, std::string("bench: ") + e.what());
  }

  const auto* base = baseline ? &*baseline : nullptr;
  if (f.json) {
    if (print_line(bench::format_json(what, measured, base)) != exit_ok) {
      return exit_error;
    }
  } else {
    std::cout << bench::format_table(what, measured, base) << std::flush;
  }
  if (measured.ops == 0 || measured.errors == measured.ops) {
    return report_error(
        errc::internal,
        "bench: no operation succeeded" +
            (measured.first_error.empty() ? std::string{} : ": " + measured.first_error));
  }
  return exit_ok;
}

}  // namespace artifacts::cli
