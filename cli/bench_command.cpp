#include "cli/bench_command.hpp"

#include <chrono>
#include <exception>
#include <iostream>
#include <optional>
#include <string>

#include <prometheus/registry.h>
#include <CLI/CLI.hpp>

#include <artifact_store/client.hpp>
#include <artifact_store/errc.hpp>
#include <artifact_store/metrics.hpp>
#include <artifact_store/store_config.hpp>

#include "bench/actor_runner.hpp"
#include "bench/baseline.hpp"
#include "bench/report.hpp"
#include "bench/runner.hpp"
#include "bench/store_subject.hpp"
#include "cli/client_session.hpp"
#include "cli/exit_status.hpp"
#include "cli/flags.hpp"
#include "cli/report.hpp"
#include "cli/store_address.hpp"
#include "storage/dsn.hpp"

namespace artifacts::cli {

struct bench_command::flags {
  client_flags client;
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
  bool no_checkpoint = false;
  bool tolerate_errors = false;
  bool json = false;
  bool metrics = false;
};

namespace {

std::string store_kind_of(const store_address& where) {
  if (!where.nodes.empty()) {
    return "node";
  }
  return std::string{driver_kind_name(parse_dsn(where.dsn).kind)};
}

// "<label>: N of M measured operations failed (first: …)".
std::string describe_errors(const bench::run_result& r) {
  return r.label + ": " + std::to_string(r.errors) + " of " + std::to_string(r.ops + r.errors) +
         " measured operations failed (first: " + r.first_error + ")";
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
  add_client_flags(*command_, f.client);
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
  auto* baseline =
      command_
          ->add_option("--baseline", f.baseline,
                       "also run, in this process, seed (libpqxx, the original statements) or raw "
                       "(libpq, one statement, binary bytea), each run after a CHECKPOINT; "
                       "PostgreSQL DSNs only")
          ->check(CLI::IsMember({"seed", "raw"}))
          ->group("Workload");
  command_
      ->add_flag("--no-checkpoint", f.no_checkpoint,
                 "with --baseline, no CHECKPOINT before the runs (for a role that may not "
                 "issue one); the second run then starts with the first's writes to flush")
      ->needs(baseline)
      ->group("Workload");
  command_
      ->add_flag("--tolerate-errors", f.tolerate_errors,
                 "exit 0 even when measured operations failed; the report marks the runs "
                 "that had errors")
      ->group("Output");
  command_->add_flag("--json", f.json, "print one JSON object instead of a table")->group("Output");
  command_
      ->add_flag("--metrics", f.metrics,
                 "count into a Prometheus registry, as serve --metrics-address does, to "
                 "measure what the counting costs (in-process stores)")
      ->group("Store");
}

bench_command::~bench_command() = default;

bool bench_command::parsed() const {
  return command_->parsed();
}

int bench_command::run() const {
  const auto& f = *flags_;
  const auto where = resolve_store_address(f.client);
  std::string name;
  try {
    name = store_kind_of(where);
  } catch (const store_error& e) {
    return report_error(e.code(), e.what());
  }
  if (!f.baseline.empty() && name != "postgres") {
    throw CLI::ValidationError("--baseline",
                               "needs a PostgreSQL --dsn (postgresql://… or a "
                               "libpq keyword string), not a " +
                                   name + " store");
  }

  bench::run_settings settings;
  settings.workload = *bench::parse_workload(f.workload);
  settings.payload_bytes = *bench::parse_byte_size(f.payload);
  settings.get_ratio = f.get_ratio;
  settings.concurrency = f.concurrency;
  settings.duration = std::chrono::duration<double>(f.duration_s);
  settings.ops = f.ops;
  settings.warmup = std::chrono::duration<double>(f.warmup_s);

  // An in-process store gets the requested pool; a node has its own.
  auto session = client_session::open(
      where, f.client, f.pool,
      f.metrics ? make_store_metrics(std::make_shared<prometheus::Registry>()) : nullptr);
  if (!session) {
    return report_error(session.error());
  }
  client* shared = &(*session)->client();

  bench::run_description what;
  what.settings = settings;
  what.pool_size = where.nodes.empty() ? f.pool : 0;
  what.store_kind = name;
  what.callers = f.callers;
  // The store runs first and its baseline second, in this process. So that
  // the order does not favour either, each of the two starts after a
  // CHECKPOINT: neither finds the other's dirty buffers and WAL still to be
  // written, or a checkpoint due from the other's writes, during its own
  // measured seconds (a run of 1 MiB puts leaves hundreds of MB of both).
  // Alternating the order would only spread that cost over the rows, each
  // row still paying it on one side; the CHECKPOINT removes it from every
  // row.
  what.checkpointed = !f.baseline.empty() && !f.no_checkpoint;
  auto checkpoint = [&] {
    try {
      bench::checkpoint(where.dsn);
    } catch (const store_error& e) {
      throw store_error(e.code(), std::string(e.what()) + " (--no-checkpoint runs without one)");
    }
  };
  bench::run_result measured;
  std::optional<bench::run_result> baseline;
  try {
    const auto where_runs = new_run_scope();
    auto subject = bench::make_store_subject(*shared, where_runs);
    if (what.checkpointed) {
      checkpoint();
    }
    if (f.callers == "actors") {
      measured = bench::run_caller_actors((*session)->system(), shared->handle(),
                                          (*session)->local_store(), *subject, where_runs, settings,
                                          std::chrono::milliseconds{f.client.timeout_ms});
    } else {
      measured = bench::run(*subject, settings);
    }
    if (!f.baseline.empty()) {
      auto direct =
          bench::make_baseline(*bench::parse_baseline(f.baseline), where.dsn, new_run_scope());
      if (what.checkpointed) {
        checkpoint();
      }
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
  // A failed operation is a failed benchmark unless the caller said it would
  // read the errors from the report.
  for (const bench::run_result* r : {static_cast<const bench::run_result*>(&measured), base}) {
    if (r != nullptr && r->has_errors() && !f.tolerate_errors) {
      return report_error(r->first_error_code, "bench: " + describe_errors(*r) +
                                                   "; --tolerate-errors reports them and exits 0");
    }
  }
  if (measured.ops == 0 && !measured.has_errors()) {
    return report_error(errc::internal, "bench: no operation finished in the measured time");
  }
  return exit_ok;
}

}  // namespace artifacts::cli
