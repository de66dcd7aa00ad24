// Running the `artifact-store` command under test as a separate process: one
// command to its end, or a node (`serve --port 0`) kept running. For the
// command's end-to-end tests; each defines ARTIFACT_STORE_COMMAND, the
// binary's path (cli/CMakeLists.txt).
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <netinet/in.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <google/protobuf/util/json_util.h>
#include <sqlite3.h>
#include <catch2/catch.hpp>

#include <artifact_store/v1/artifacts.pb.h>

#include "scenarios/child_process.hpp"

namespace artifacts::testing::command {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Bound on one command; a command that takes longer has hung.
constexpr auto command_bound = 120s;

inline std::string command_path() {
  return artifacts::testing::command_under_test(ARTIFACT_STORE_COMMAND);
}

struct run_options {
  run_options() = default;
  run_options(fs::path dir, std::string stdin_bytes = {},
              std::map<std::string, std::string> variables = {})
      : cwd(std::move(dir)), input(std::move(stdin_bytes)), env(std::move(variables)) {}

  fs::path cwd;                            // empty: the test's own
  std::string input;                       // standard input
  std::map<std::string, std::string> env;  // on top of the test's, without ARTIFACT_STORE_*
};

// The command with `args`, started as `options` say; its stdout is a pipe
// read with read_line when `pipe_stdout`, else a file.
inline std::unique_ptr<child_process> start_command(const std::vector<std::string>& args,
                                                    const run_options& options,
                                                    bool pipe_stdout = false) {
  artifacts::testing::child_options child;
  child.cwd = options.cwd;
  child.input = options.input;
  // Without the command's own variables, so that a developer's settings
  // cannot leak in.
  child.environment = artifacts::testing::environment_with(options.env, "ARTIFACT_STORE_");
  child.stdout_pipe = pipe_stdout;
  return std::make_unique<child_process>(command_path(), args, child);
}

using outcome = artifacts::testing::finished_child;

inline outcome run(const std::vector<std::string>& args, const run_options& options = {}) {
  auto process = start_command(args, options);
  outcome result;
  result.status = process->wait(command_bound);
  result.out = process->out();
  result.err = process->err();
  return result;
}

// `artifact-store serve --port 0 <args>` in `cwd`, up and listening.
class node {
 public:
  explicit node(const fs::path& cwd, std::vector<std::string> args = {},
                std::map<std::string, std::string> env = {}, uint16_t port = 0) {
    std::vector<std::string> all{"serve", "--port", std::to_string(port)};
    all.insert(all.end(), args.begin(), args.end());
    process_ = start_command(all, run_options{cwd, "", std::move(env)}, true);
    const std::string line = process_->read_line(60s);
    const std::string prefix = "listening on ";
    if (line.rfind(prefix, 0) != 0) {
      throw std::runtime_error("unexpected first line: " + line);
    }
    address_ = line.substr(prefix.size());
  }

  // "127.0.0.1:PORT", as the node printed it.
  const std::string& address() const { return address_; }

  // The host and the port of address().
  std::string host() const { return address_.substr(0, address_.rfind(':')); }
  uint16_t port() const {
    return static_cast<uint16_t>(std::stoi(address_.substr(address_.rfind(':') + 1)));
  }

  // Sends `signal_number` and returns the exit status.
  int stop(int signal_number = SIGTERM) {
    process_->signal(signal_number);
    return process_->wait(60s);
  }

  // The node's peak resident memory in KiB, once stop() has returned.
  std::optional<long> peak_rss_kib() const { return process_->peak_rss_kib(); }

  std::string log() const { return process_->err(); }

  // The next line the node prints on stdout after "listening on …".
  std::string next_line() { return process_->read_line(60s); }

 private:
  std::unique_ptr<child_process> process_;
  std::string address_;
};

inline std::vector<std::string> scope_args(const std::string& tenant, const std::string& user,
                                           const std::string& session,
                                           const std::string& task = "") {
  std::vector<std::string> args{"--tenant", tenant, "--user", user, "--session", session};
  if (!task.empty()) {
    args.insert(args.end(), {"--task", task});
  }
  return args;
}

inline std::vector<std::string> concat(std::vector<std::string> head,
                                       const std::vector<std::string>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

// The command's JSON rendering of a ref, parsed back.
inline artifacts::v1::ArtifactRef parse_ref(const std::string& json) {
  artifacts::v1::ArtifactRef ref;
  auto status = google::protobuf::util::JsonStringToMessage(json, &ref);
  INFO(json);
  REQUIRE(status.ok());
  return ref;
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in{text};
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
  }
  return lines;
}

// The single line of `text`, which must end with a newline.
inline std::string only_line(const std::string& text) {
  INFO(text);
  REQUIRE(!text.empty());
  REQUIRE(text.back() == '\n');
  REQUIRE(text.find('\n') == text.size() - 1);
  return text.substr(0, text.size() - 1);
}

// A port that nothing listens on (bound once, then released).
inline std::string dead_address() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
}

// Runs one writing statement on the SQLite database `file`, through a
// connection of its own (waiting up to 10 s for the store's write lock);
// the rows it changed.
inline int rows_changed(const fs::path& file, const char* sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  const int status = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  const int changed = sqlite3_changes(db);
  INFO(sql << ": " << sqlite3_errmsg(db));
  sqlite3_close(db);
  REQUIRE(status == SQLITE_OK);
  return changed;
}

}  // namespace artifacts::testing::command
