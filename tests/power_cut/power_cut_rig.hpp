// The processes of a power-cut test: the power_cut_fs daemon over a mount
// point, and a forked writer reporting its acknowledged puts through a pipe,
// each driven with a bound on every wait and ended in every path.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace artifacts::power_cut {

using clock = std::chrono::steady_clock;

// Reads lines from a pipe, each wait bounded by a deadline.
class line_reader {
 public:
  line_reader() = default;
  explicit line_reader(int fd) : fd_(fd) {}

  // The next whole line (without its newline); nullopt when the pipe ended
  // (ended() is then true) or the deadline passed first.
  std::optional<std::string> next(clock::time_point deadline);

  bool ended() const noexcept { return ended_; }

 private:
  int fd_ = -1;
  std::string pending_;
  bool ended_ = false;
};

// A power_cut_fs daemon mounted over a folder (see power_cut_fs.cpp for the
// durability model and the commands).
class mounted_fs {
 public:
  // Starts the daemon over `mountpoint` (an existing empty folder), with
  // `image` (an existing empty folder) to receive the durable state at the
  // cut, and, when `load` is not empty, the copy of that folder as its
  // durable starting state. Waits for the mount within a bound. Throws
  // std::runtime_error, with the daemon's own message when it gave one,
  // when the daemon cannot be started or cannot mount.
  mounted_fs(std::filesystem::path mountpoint, std::filesystem::path image,
             std::filesystem::path load = {});

  // stop().
  ~mounted_fs();
  mounted_fs(const mounted_fs&) = delete;
  mounted_fs& operator=(const mounted_fs&) = delete;

  const std::filesystem::path& mountpoint() const noexcept { return mountpoint_; }

  // Cuts the power now (or reports the cut an armed point made) and returns
  // the number of mutating operations the daemon had served. Throws
  // std::runtime_error when the daemon does not answer within a bound.
  uint64_t cut();

  // Arms a cut in place of the k-th mutating operation from now (k >= 1).
  // Throws std::runtime_error when the daemon does not answer within a bound.
  void cut_after(uint64_t k);

  // Arms a cut in place of the k-th mutating operation (k >= 1) counted
  // from the next operation `op` ("write", "fsync", ...) on `path` (as the
  // mount sees it, "/x.db"), which is the first. Throws std::runtime_error
  // when the daemon does not answer within a bound.
  void cut_at(const std::string& op, const std::string& path, uint64_t k);

  // Waits until an armed cut has happened; returns the number of mutating
  // operations served before it, or nullopt when the deadline passed first.
  // Throws std::runtime_error when the daemon ends or reports an error.
  std::optional<uint64_t> wait_for_cut(clock::time_point deadline);

  // Arms a freeze of the k-th mutating operation from now (k >= 1): the
  // daemon holds it until thaw(), then fails it without changing anything.
  // Throws std::runtime_error when the daemon does not answer within a bound.
  void freeze_after(uint64_t k);

  // Waits until an armed freeze holds an operation; false when the deadline
  // passed first. Throws std::runtime_error when the daemon ends or reports
  // an error.
  bool wait_for_freeze(clock::time_point deadline);

  // Releases a frozen operation (failing it). Throws std::runtime_error when
  // the daemon does not answer within a bound.
  void thaw();

  // Ends the daemon (SIGTERM: it unmounts and exits; SIGKILL after a bound)
  // and detaches whatever mount is left. Idempotent; never throws.
  void stop() noexcept;

 private:
  // The next report line of the daemon that starts with `prefix`, lines
  // before it skipped; nullopt when the deadline passes first. Throws
  // std::runtime_error naming `what` when the daemon ends or reports an
  // error.
  std::optional<std::string> expect(const std::string& prefix, const std::string& what,
                                    clock::time_point deadline);
  // expect() within `bound`, throwing std::runtime_error when it passes.
  std::string expect_within(const std::string& prefix, const std::string& what,
                            std::chrono::seconds bound);
  void send(const std::string& line);

  std::filesystem::path mountpoint_;
  pid_t pid_ = -1;
  int commands_ = -1;
  int reports_fd_ = -1;
  line_reader reports_;
  std::optional<uint64_t> cut_count_;
};

// A forked child running `body(report_fd)`; body never returns (it writes
// lines to report_fd and waits to be killed). Every other descriptor of the
// parent is closed in the child, and the child dies with the parent.
class child_process {
 public:
  explicit child_process(const std::function<void(int report_fd)>& body);

  // kill().
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  line_reader& reports() noexcept { return reports_; }

  // SIGKILLs the child and reaps it, waiting at most a bound. Returns false
  // when it could not be reaped within the bound (it is then left to init).
  bool kill() noexcept;

  // SIGKILLs the child without reaping it: a thread of it waiting for a
  // FUSE request the daemon holds ends only once the daemon answers.
  void send_kill() noexcept;

 private:
  pid_t pid_ = -1;
  int reports_fd_ = -1;
  line_reader reports_;
};

// The time left until `deadline` in whole milliseconds, at least 0.
int millis_until(clock::time_point deadline);

}  // namespace artifacts::power_cut
