// `artifact-store bench`: measure the store, optionally beside a baseline that
// talks to PostgreSQL directly.
#pragma once

#include <memory>

namespace CLI {
class App;
}

namespace artifacts::cli {

// The bench subcommand: constructing it adds `bench` and its flags to `app`;
// after parsing, run() executes it when the command line chose it.
class bench_command {
 public:
  explicit bench_command(CLI::App& app);
  ~bench_command();
  bench_command(const bench_command&) = delete;
  bench_command& operator=(const bench_command&) = delete;

  // Whether the command line chose `bench`.
  bool parsed() const;

  // Opens the store (in-process on the DSN with --pool workers, or the node),
  // runs the workload, then the baseline when asked for (each after a
  // CHECKPOINT unless --no-checkpoint), and prints the report: a table, or
  // one line of JSON with --json, where a run with failed operations is
  // marked. Progress goes to stderr. Returns exit_ok; exit_error after
  // printing the error when the store cannot be opened, a CHECKPOINT fails,
  // no measured operation finished, or, after the report, when any measured
  // operation failed ("error: <first failure's code>: bench: <run>: N of M
  // measured operations failed …"), unless --tolerate-errors. Throws
  // CLI::ValidationError (a usage error) for --baseline without a PostgreSQL
  // DSN, or a malformed target.
  int run() const;

 private:
  struct flags;
  std::unique_ptr<flags> flags_;
  CLI::App* command_ = nullptr;
};

}  // namespace artifacts::cli
