#include "scenarios/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ostream>
#include <stdexcept>
#include <thread>

#include "scenarios/test_files.hpp"

extern char** environ;

namespace artifacts::testing {

namespace {

using namespace std::chrono_literals;

// Where the children's stdin, stdout and stderr files live; removed when
// this process ends.
const std::filesystem::path& stream_folder() {
  static const temp_folder folder{"child-streams"};
  return folder.path();
}

// "NAME=value" entries as the null-terminated array posix_spawn takes; the
// pointers are into `entries`, which must outlive the array.
std::vector<char*> c_strings(std::vector<std::string>& entries) {
  std::vector<char*> pointers;
  pointers.reserve(entries.size() + 1);
  for (auto& entry : entries) {
    pointers.push_back(entry.data());
  }
  pointers.push_back(nullptr);
  return pointers;
}

// A pipe whose ends are closed on exec, so that other children do not keep
// it open. Throws std::runtime_error when it cannot be made.
void make_pipe(int (&fds)[2]) {
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  }
}

}  // namespace

std::vector<std::string> environment_with(const std::map<std::string, std::string>& extra,
                                          std::string_view drop_prefix) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (drop_prefix.empty() ||
        std::string_view(*entry).substr(0, drop_prefix.size()) != drop_prefix) {
      env.emplace_back(*entry);
    }
  }
  for (const auto& [name, value] : extra) {
    env.push_back(name + "=" + value);
  }
  return env;
}

child_process::child_process(const std::string& program, const std::vector<std::string>& args,
                             const child_options& options) {
  static std::atomic<unsigned> counter{0};
  const auto stem = stream_folder() / std::to_string(counter++);
  in_ = stem.string() + ".in";
  out_ = stem.string() + ".out";
  err_ = stem.string() + ".err";
  write_file(in_, options.stdin_pipe ? std::string() : options.input);

  std::vector<std::string> argv_strings{program};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  auto argv = c_strings(argv_strings);
  auto env_strings = options.environment ? *options.environment : environment_with({});
  auto envp = c_strings(env_strings);

  int to_child[2] = {-1, -1};
  int from_child[2] = {-1, -1};
  if (options.stdin_pipe) {
    make_pipe(to_child);
  }
  if (options.stdout_pipe) {
    make_pipe(from_child);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (options.stdin_pipe) {
    posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, in_.c_str(), O_RDONLY, 0);
  }
  if (options.stdout_pipe) {
    posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const std::string cwd = options.cwd.string();
  if (!cwd.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  }
  const int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  // The child has its own copies; this process keeps only its ends.
  if (options.stdin_pipe) {
    ::close(to_child[0]);
    stdin_pipe_ = to_child[1];
  }
  if (options.stdout_pipe) {
    ::close(from_child[1]);
    stdout_pipe_ = from_child[0];
  }
  if (rc != 0) {
    pid_ = -1;
    close_input();
    if (stdout_pipe_ >= 0) {
      ::close(stdout_pipe_);
    }
    throw std::runtime_error("posix_spawn " + program + ": " + std::strerror(rc));
  }
}

child_process::~child_process() {
  kill();
  close_input();
  if (stdout_pipe_ >= 0) {
    ::close(stdout_pipe_);
  }
}

std::string child_process::read_line(std::chrono::milliseconds bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  for (;;) {
    if (auto newline = pending_.find('\n'); newline != std::string::npos) {
      auto line = pending_.substr(0, newline);
      pending_.erase(0, newline + 1);
      return line;
    }
    if (stdout_pipe_ < 0) {
      throw std::runtime_error("read_line: the child's stdout is not piped");
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) {
      throw std::runtime_error("no line on stdout in time; stderr: " + err());
    }
    pollfd ready{stdout_pipe_, POLLIN, 0};
    if (::poll(&ready, 1, static_cast<int>(left.count())) <= 0) {
      continue;
    }
    char buffer[4096];
    auto count = ::read(stdout_pipe_, buffer, sizeof buffer);
    if (count <= 0) {
      throw std::runtime_error("stdout closed before a line; stderr: " + err());
    }
    pending_.append(buffer, static_cast<size_t>(count));
  }
}

void child_process::signal(int signal_number) {
  if (pid_ > 0) {
    ::kill(pid_, signal_number);
  }
}

int child_process::wait(std::chrono::milliseconds bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  for (;;) {
    int status = 0;
    rusage usage{};
    auto done = ::wait4(pid_, &status, WNOHANG, &usage);
    if (done == pid_) {
      pid_ = -1;
      peak_rss_kib_ = usage.ru_maxrss;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (done < 0) {
      throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      kill();
      throw std::runtime_error("the child did not exit in time; stderr: " + err());
    }
    std::this_thread::sleep_for(10ms);
  }
}

void child_process::kill() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
}

void child_process::write_input(std::string_view bytes) {
  if (stdin_pipe_ < 0) {
    throw std::runtime_error("write_input: the child's stdin is not a pipe");
  }
  while (!bytes.empty()) {
    const auto written = ::write(stdin_pipe_, bytes.data(), bytes.size());
    if (written < 0 && errno == EINTR) {
      continue;
    }
    if (written <= 0) {
      throw std::runtime_error(std::string("write_input: ") + std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
}

void child_process::close_input() {
  if (stdin_pipe_ >= 0) {
    ::close(stdin_pipe_);
    stdin_pipe_ = -1;
  }
}

std::string child_process::out() const {
  return read_file(out_);
}

std::string child_process::err() const {
  return read_file(err_);
}

std::ostream& operator<<(std::ostream& os, const finished_child& result) {
  return os << "exit " << result.status << ", stdout [" << result.out << "], stderr [" << result.err
            << "]";
}

finished_child run_to_end(const std::string& program, const std::vector<std::string>& args,
                          const child_options& options, std::chrono::milliseconds bound) {
  child_process child{program, args, options};
  finished_child result;
  result.status = child.wait(bound);
  result.out = child.out();
  result.err = child.err();
  return result;
}

std::string command_under_test(const char* built) {
  if (const char* path = std::getenv("ARTIFACT_STORE_COMMAND"); path != nullptr && *path != '\0') {
    return path;
  }
  if (built != nullptr && *built != '\0') {
    return built;
  }
  throw std::runtime_error("set ARTIFACT_STORE_COMMAND to the artifact-store binary");
}

}  // namespace artifacts::testing
