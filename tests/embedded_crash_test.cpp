// Crash consistency of the embedded drivers: a process killed with SIGKILL in
// the middle of a stream of puts leaves a store that opens, holds only whole
// artifacts, and has lost none of the puts it acknowledged.
//
// The writer is a forked child. This executable starts no threads (Catch2
// creates none, the storage layer neither), so the child is a copy of a
// single-threaded process and may do anything after fork; the parent checks
// that this still holds before every fork.
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include <catch2/catch.hpp>

#include <artifact_store/errc.hpp>

#include "scenarios/crash_stream.hpp"
#include "scenarios/driver_test_support.hpp"
#include "scenarios/load_scale.hpp"
#include "storage/open_driver.hpp"
#include "storage/operations.hpp"

namespace {

using namespace artifacts;
using namespace artifacts::testing;
using namespace artifacts::scenarios;
namespace stdfs = std::filesystem;

// How long the parent waits for the writer's acknowledgements before it
// gives up on it: a bound, not an expectation.
constexpr std::chrono::seconds writer_bound{120};

// The writer stops by itself after this many puts; the parent kills it long
// before.
constexpr int writer_cap = 100000;

bool write_line(int fd, const std::string& line) {
  // One write of less than PIPE_BUF bytes: the parent sees whole lines.
  return ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
}

// The child: opens the store and puts artifacts 0, 1, 2, ... writing
// "<index> <id>\n" to `ack_fd` after each acknowledged put, until it is
// killed. Reports a failure as "error <message>\n". Never returns.
[[noreturn]] void run_writer(const std::string& dsn, int ack_fd) {
  // Dies with the parent, whatever kills it.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  int status = 0;
  try {
    auto drv = open_driver(options_for(dsn));
    auto ops = open_ops(*drv);
    for (int index = 0; index < writer_cap; ++index) {
      auto ref = ops->put(stream_request(index));
      if (!write_line(ack_fd, std::to_string(index) + " " + ref.id() + "\n")) {
        status = 2;
        break;
      }
    }
  } catch (const std::exception& e) {
    write_line(ack_fd, std::string("error ") + e.what() + "\n");
    status = 1;
  } catch (...) {
    write_line(ack_fd, "error unknown exception\n");
    status = 1;
  }
  // No atexit handlers, no static destructors, no test reporter: the parent
  // owns all of those.
  ::_exit(status);
}

size_t thread_count() {
  size_t count = 0;
  for (const auto& entry : stdfs::directory_iterator("/proc/self/task")) {
    (void)entry;
    ++count;
  }
  return count;
}

// What the parent learnt from one killed writer.
struct writer_run {
  std::map<int, std::string> acknowledged;  // index -> id
  std::string failure;                      // the writer's own error, if any
  bool killed = false;                      // ended by our SIGKILL
};

// Reads the writer's lines from `fd` into `run` until at least `wanted`
// puts are acknowledged (wanted = 0: no such limit), the writer ends, or the
// bound passes. `pending` keeps a partial line between calls. Returns false
// when the bound passed.
bool read_acknowledgements(int fd, size_t wanted, writer_run& run, std::string& pending) {
  const auto deadline = std::chrono::steady_clock::now() + writer_bound;
  char buffer[4096];
  while (wanted == 0 || run.acknowledged.size() < wanted) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return false;
    }
    pollfd readable{fd, POLLIN, 0};
    const int ready = ::poll(&readable, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready <= 0) {
      return false;
    }
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got <= 0) {
      return true;  // the writer is gone
    }
    pending.append(buffer, static_cast<size_t>(got));
    for (auto end = pending.find('\n'); end != std::string::npos; end = pending.find('\n')) {
      const std::string line = pending.substr(0, end);
      pending.erase(0, end + 1);
      if (line.rfind("error ", 0) == 0) {
        run.failure = line.substr(6);
        continue;
      }
      std::istringstream fields(line);
      int index = -1;
      std::string id;
      if (!(fields >> index >> id) || index < 0) {
        run.failure = "unreadable acknowledgement \"" + line + "\"";
        continue;
      }
      run.acknowledged[index] = id;
    }
  }
  return true;
}

// Forks a writer on `dsn`, kills it with SIGKILL once it has acknowledged
// `kill_after` puts, and returns what it acknowledged before it died.
writer_run kill_writer_mid_stream(const std::string& dsn, size_t kill_after) {
  REQUIRE(thread_count() == 1);
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    run_writer(dsn, fds[1]);
  }
  ::close(fds[1]);

  writer_run run;
  std::string pending;
  const bool in_time = read_acknowledgements(fds[0], kill_after, run, pending);
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  run.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  // Acknowledgements written after the ones counted above count too. The
  // writer is dead, so the pipe ends at once.
  read_acknowledgements(fds[0], 0, run, pending);
  ::close(fds[0]);
  INFO("writer failure: " << run.failure);
  REQUIRE(in_time);
  REQUIRE(run.failure.empty());
  return run;
}

// Opens `dsn` after a crash and checks it (see check_after_crash: only
// whole artifacts, every acknowledged put there, at most the one put in
// flight besides). Then checks that the store still takes puts, and returns
// the ref of that last put.
v1::ArtifactRef check_store_after_crash(const std::string& dsn, const writer_run& run) {
  auto drv = open_driver(options_for(dsn));
  auto ops = open_ops(*drv);
  stored_stream stored;
  stored.listed = list_all(*ops, make_scope("", "", ""), 7);
  stored.fetch = [&](const v1::ArtifactRef& ref) -> std::optional<std::string> {
    auto blob = ops->get(make_key(ref));
    if (!blob.found()) {
      return std::nullopt;
    }
    return blob.data();
  };
  check_after_crash(stored, run.acknowledged, 1);

  auto after = ops->put(stream_request(writer_cap));
  CHECK(ops->get(make_key(after)).data() == stream_bytes(writer_cap));
  return after;
}

void kill_and_check_repeatedly(const std::function<std::string(const stdfs::path&)>& dsn_in) {
  const size_t kill_points[] = {24, 41, 63};
  const size_t runs = load_volume<size_t>(std::size(kill_points), 1);
  for (size_t run_number = 0; run_number < runs; ++run_number) {
    DYNAMIC_SECTION("killed after " << kill_points[run_number] << " acknowledged puts") {
      temp_folder folder("crash-test");
      const auto dsn = dsn_in(folder.path());
      auto run = kill_writer_mid_stream(dsn, kill_points[run_number]);
      CHECK(run.killed);
      CHECK(run.acknowledged.size() >= kill_points[run_number]);
      auto extra = check_store_after_crash(dsn, run);

      // A second crash on the recovered store loses nothing either. The
      // writer starts over: its first puts find their artifacts stored.
      auto again = kill_writer_mid_stream(dsn, run.acknowledged.size() + kill_points[run_number]);
      CHECK(again.killed);
      // Beyond the puts it repeated, the second writer had new ones
      // acknowledged before it died: otherwise the check after the second
      // crash would hold for nothing new. (A writer that ends early by
      // itself ends the wait for acknowledgements too.)
      CHECK(again.acknowledged.size() >= run.acknowledged.size() + kill_points[run_number]);
      again.acknowledged.insert(run.acknowledged.begin(), run.acknowledged.end());
      again.acknowledged.emplace(writer_cap, extra.id());
      check_store_after_crash(dsn, again);
    }
  }
}

}  // namespace

TEST_CASE("sqlite: a writer killed mid-stream loses no acknowledged put", "[sqlite][crash]") {
  kill_and_check_repeatedly(
      [](const stdfs::path& folder) { return "sqlite:" + (folder / "artifacts.db").string(); });
}

TEST_CASE("fs: a writer killed mid-stream loses no acknowledged put", "[fs][crash]") {
  kill_and_check_repeatedly(
      [](const stdfs::path& folder) { return "fs:" + (folder / "root").string(); });
}
