// The processes of a power-cut test: starting, driving and ending them.
#include "tests/power_cut/power_cut_rig.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <stdexcept>
#include <thread>
#include <vector>

#ifndef POWER_CUT_FS
#error "POWER_CUT_FS must name the power_cut_fs executable"
#endif

namespace artifacts::power_cut {

namespace {

// Bounds on waits that only catch a hang.
constexpr std::chrono::seconds mount_bound{15};
constexpr std::chrono::seconds answer_bound{15};
constexpr std::chrono::seconds stop_bound{5};
constexpr std::chrono::seconds reap_bound{5};

// Reaps `pid`, waiting until `deadline`; true when it was reaped.
bool reap(pid_t pid, clock::time_point deadline) {
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno == ECHILD)) {
      return true;
    }
    if (done < 0 && errno != EINTR) {
      return false;
    }
    if (clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// Closes every descriptor from `first` on, in a child about to run.
void close_from(int first) {
  ::syscall(SYS_close_range, static_cast<unsigned>(first), ~0u, 0u);
}

}  // namespace

int millis_until(clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(left);
}

std::optional<std::string> line_reader::next(clock::time_point deadline) {
  for (;;) {
    const auto end = pending_.find('\n');
    if (end != std::string::npos) {
      std::string line = pending_.substr(0, end);
      pending_.erase(0, end + 1);
      return line;
    }
    if (ended_) {
      return std::nullopt;
    }
    pollfd readable{fd_, POLLIN, 0};
    const int ready = ::poll(&readable, 1, millis_until(deadline));
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready <= 0) {
      return std::nullopt;  // the deadline passed (or poll failed)
    }
    char buffer[4096];
    const ssize_t got = ::read(fd_, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got <= 0) {
      ended_ = true;
      continue;
    }
    pending_.append(buffer, static_cast<size_t>(got));
  }
}

mounted_fs::mounted_fs(std::filesystem::path mountpoint, std::filesystem::path image,
                       std::filesystem::path load)
    : mountpoint_(std::move(mountpoint)) {
  int to_daemon[2];
  int from_daemon[2];
  if (::pipe2(to_daemon, O_CLOEXEC) != 0) {
    throw std::runtime_error("power_cut_fs: cannot create a pipe");
  }
  if (::pipe2(from_daemon, O_CLOEXEC) != 0) {
    ::close(to_daemon[0]);
    ::close(to_daemon[1]);
    throw std::runtime_error("power_cut_fs: cannot create a pipe");
  }
  std::vector<std::string> args = {POWER_CUT_FS, mountpoint_.string(), image.string()};
  if (!load.empty()) {
    args.insert(args.end(), {"--load", load.string()});
  }
  std::vector<char*> argv;
  for (auto& arg : args) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);
  std::fflush(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(to_daemon[0], STDIN_FILENO);
    ::dup2(from_daemon[1], STDOUT_FILENO);
    close_from(3);
    ::execv(argv[0], argv.data());
    const std::string failed = "error cannot run " + args[0] + "\n";
    (void)!::write(STDOUT_FILENO, failed.data(), failed.size());
    ::_exit(127);
  }
  ::close(to_daemon[0]);
  ::close(from_daemon[1]);
  commands_ = to_daemon[1];
  reports_fd_ = from_daemon[0];
  reports_ = line_reader(reports_fd_);
  if (pid_ < 0) {
    stop();
    throw std::runtime_error("power_cut_fs: cannot fork");
  }
  try {
    expect_within("mounted", "mount the power-cut file system over " + mountpoint_.string(),
                  mount_bound);
  } catch (...) {
    stop();
    throw;
  }
}

mounted_fs::~mounted_fs() {
  stop();
}

void mounted_fs::send(const std::string& line) {
  const std::string text = line + "\n";
  if (::write(commands_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    throw std::runtime_error("power_cut_fs: cannot send \"" + line + "\": the daemon is gone");
  }
}

std::optional<std::string> mounted_fs::expect(const std::string& prefix, const std::string& what,
                                              clock::time_point deadline) {
  for (;;) {
    auto line = reports_.next(deadline);
    if (!line) {
      if (reports_.ended()) {
        throw std::runtime_error("power_cut_fs: could not " + what + ": the daemon ended");
      }
      return std::nullopt;
    }
    if (line->rfind("error ", 0) == 0) {
      throw std::runtime_error("power_cut_fs: could not " + what + ": " + line->substr(6));
    }
    if (line->rfind("cut ", 0) == 0) {
      cut_count_ = std::stoull(line->substr(4));
    }
    if (line->rfind(prefix, 0) == 0) {
      return line;
    }
  }
}

std::string mounted_fs::expect_within(const std::string& prefix, const std::string& what,
                                      std::chrono::seconds bound) {
  auto line = expect(prefix, what, clock::now() + bound);
  if (!line) {
    throw std::runtime_error("power_cut_fs: could not " + what + ": no answer within " +
                             std::to_string(bound.count()) + " s");
  }
  return *line;
}

uint64_t mounted_fs::cut() {
  if (!cut_count_) {
    send("cut");
    expect_within("cut ", "cut the power", answer_bound);
  }
  return *cut_count_;
}

void mounted_fs::cut_after(uint64_t k) {
  send("cut-after " + std::to_string(k));
  expect_within("armed ", "arm a cut", answer_bound);
}

void mounted_fs::cut_at(const std::string& op, const std::string& path, uint64_t k) {
  send("cut-at " + op + " " + path + " " + std::to_string(k));
  expect_within("armed ", "arm a cut", answer_bound);
}

std::optional<uint64_t> mounted_fs::wait_for_cut(clock::time_point deadline) {
  if (!cut_count_) {
    expect("cut ", "cut the power", deadline);
  }
  return cut_count_;
}

void mounted_fs::freeze_after(uint64_t k) {
  send("freeze-after " + std::to_string(k));
  expect_within("armed ", "arm a freeze", answer_bound);
}

bool mounted_fs::wait_for_freeze(clock::time_point deadline) {
  return expect("frozen ", "freeze an operation", deadline).has_value();
}

void mounted_fs::thaw() {
  send("thaw");
  expect_within("thawed", "thaw an operation", answer_bound);
}

void mounted_fs::stop() noexcept {
  if (commands_ >= 0) {
    ::close(commands_);  // the end of stdin ends the daemon too
    commands_ = -1;
  }
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    if (!reap(pid_, clock::now() + stop_bound)) {
      ::kill(pid_, SIGKILL);
      reap(pid_, clock::now() + stop_bound);
    }
    pid_ = -1;
  }
  if (reports_fd_ >= 0) {
    ::close(reports_fd_);
    reports_fd_ = -1;
  }
  // The daemon unmounts when it ends normally; after a SIGKILL the mount is
  // left without a server. Detaching it is harmless when it is gone.
  if (!mountpoint_.empty()) {
    ::umount2(mountpoint_.c_str(), MNT_DETACH);
  }
}

child_process::child_process(const std::function<void(int report_fd)>& body) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw std::runtime_error("cannot create a pipe for a child process");
  }
  std::fflush(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    // Dies with the parent, whatever kills it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    const int report_fd = 3;
    if (fds[1] != report_fd) {
      ::dup2(fds[1], report_fd);
    }
    close_from(report_fd + 1);
    body(report_fd);
    ::_exit(0);  // body never returns; this is only a guard
  }
  ::close(fds[1]);
  reports_fd_ = fds[0];
  reports_ = line_reader(reports_fd_);
  if (pid_ < 0) {
    ::close(reports_fd_);
    reports_fd_ = -1;
    throw std::runtime_error("cannot fork a child process");
  }
}

child_process::~child_process() {
  kill();
  if (reports_fd_ >= 0) {
    ::close(reports_fd_);
  }
}

void child_process::send_kill() noexcept {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
  }
}

bool child_process::kill() noexcept {
  if (pid_ <= 0) {
    return true;
  }
  ::kill(pid_, SIGKILL);
  const bool reaped = reap(pid_, clock::now() + reap_bound);
  pid_ = -1;
  return reaped;
}

}  // namespace artifacts::power_cut
