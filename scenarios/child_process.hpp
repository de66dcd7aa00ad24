// Child processes for tests: start, read output, wait and kill, all bounded.
// A child gets its own arguments, environment, working folder and standard
// streams.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace artifacts::testing {

// This process's environment ("NAME=value" entries) without the variables
// whose names start with `drop_prefix` (none when it is empty), followed by
// `extra`.
std::vector<std::string> environment_with(const std::map<std::string, std::string>& extra,
                                          std::string_view drop_prefix = {});

// How a child is started.
struct child_options {
  // Its working folder; empty: this process's.
  std::filesystem::path cwd;
  // Its whole environment ("NAME=value" entries); nullopt: this process's.
  std::optional<std::vector<std::string>> environment;
  // What it reads on stdin, from a file. Ignored with stdin_pipe.
  std::string input;
  // stdin is a pipe that stays open, without data, until close_input() or
  // the child_process is destroyed: a child can wait on it for its parent.
  bool stdin_pipe = false;
  // stdout is a pipe read with read_line() instead of a file read with out().
  bool stdout_pipe = false;
};

// One running child. stderr always goes to a file, read with err(). A child
// still running when this is destroyed is killed with SIGKILL and reaped.
class child_process {
 public:
  // Starts `program` (a path, not looked up in PATH) with `args` after its
  // own name. Throws std::runtime_error when it cannot be started.
  child_process(const std::string& program, const std::vector<std::string>& args,
                const child_options& options = {});
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  // The next line of the piped stdout, without its newline. Throws
  // std::runtime_error, quoting the child's stderr, when no whole line
  // arrives within `bound` or stdout ends first.
  std::string read_line(std::chrono::milliseconds bound);

  // Sends `signal_number` to the child while it has not been reaped.
  void signal(int signal_number);

  // Waits for the child's exit and returns its exit status, or 128 + the
  // signal that ended it. Kills the child and throws std::runtime_error,
  // quoting its stderr, when it runs past `bound`.
  int wait(std::chrono::milliseconds bound);

  // Kills the child with SIGKILL and reaps it; nothing when already reaped.
  void kill();

  // Writes `bytes` to the piped stdin (stdin_pipe), waiting while the pipe
  // is full. Throws std::runtime_error when stdin is no pipe or the child
  // closed it.
  void write_input(std::string_view bytes);

  // Closes the piped stdin: the child reads end of input.
  void close_input();

  // The child's peak resident memory in KiB, known once wait() has seen it
  // exit.
  std::optional<long> peak_rss_kib() const noexcept { return peak_rss_kib_; }

  // Everything the child wrote to its stdout file (empty with stdout_pipe)
  // and to its stderr, so far.
  std::string out() const;
  std::string err() const;

 private:
  pid_t pid_ = -1;
  std::optional<long> peak_rss_kib_;
  int stdin_pipe_ = -1;
  int stdout_pipe_ = -1;
  std::string pending_;  // read from the stdout pipe, not yet returned
  std::filesystem::path in_, out_, err_;
};

// What a child that ran to its end did.
struct finished_child {
  int status = -1;  // as child_process::wait returns it
  std::string out;  // its stdout
  std::string err;  // its stderr
};

// "exit N, stdout [...], stderr [...]", for test messages.
std::ostream& operator<<(std::ostream& os, const finished_child& result);

// Starts `program` as child_process does (stdout to a file) and waits for
// its end within `bound`. Throws what child_process and wait throw.
finished_child run_to_end(const std::string& program, const std::vector<std::string>& args,
                          const child_options& options, std::chrono::milliseconds bound);

// The artifact-store command the end-to-end tests run:
// $ARTIFACT_STORE_COMMAND when it is set and not empty, else `built`, the
// path the build compiled into the test. Throws std::runtime_error when
// neither names one.
std::string command_under_test(const char* built);

}  // namespace artifacts::testing
