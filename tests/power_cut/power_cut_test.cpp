// Power loss, not just a killed process: a store on the power_cut_fs FUSE file
// system (power_cut_fs.cpp states its durability model) loses every write
// that was not made durable when the power is cut, and must still hold every
// put it acknowledged, whole, and nothing partial.
//
// Each case mounts power_cut_fs over a fresh folder and forks a writer that
// opens the store through open_store (actors, workers, driver: the path an
// application's put takes) and puts a fixed stream of artifacts (0 bytes to
// 1 MiB, every fifth an identical re-put, every sixth followed by a delete),
// reporting each operation it begins and each that is acknowledged, with the
// ref. The power is then cut (the daemon keeps only the durable state,
// writes it to an image folder and fails everything after), the writer is
// SIGKILLed, and the store is opened on the image, on the real disk, and
// checked (check_after_cut). Cuts come with the writer idle, in the middle of
// puts, during SQLite's checkpoint, while a new store is created, twice (the
// second on the recovered store, mounted again), and after a crash of the
// writer without power loss.
//
// In most cases the fs store's root folder is created and synced before the
// store is opened, as its operator would; the cases at the end leave the
// folders a DSN names to the drivers, which must make them durable too.
//
// The writer is a forked child: this executable starts no threads before it
// forks (Catch2 creates none, and the checks use the storage layer directly,
// which creates none), so the child may start an actor system. Every FUSE
// request of the single-threaded writer comes in the same order on every
// run, so a cut "k operations after the n-th acknowledgement" cuts at the
// same point each time, and a failure reproduces; POWER_CUT_FS_TRACE=1 in
// the environment makes the daemon list the operations it serves.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include <google/protobuf/util/message_differencer.h>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <catch2/catch.hpp>

#include <artifact_store/client.hpp>
#include <artifact_store/configure.hpp>
#include <artifact_store/errc.hpp>
#include <artifact_store/error.hpp>
#include <artifact_store/store.hpp>

#include "scenarios/load_scale.hpp"
#include "storage/open_driver.hpp"
#include "storage/operations.hpp"
#include "storage/sha256.hpp"
#include "tests/power_cut/power_cut_rig.hpp"

namespace {

using namespace artifacts;
using namespace artifacts::power_cut;
namespace stdfs = std::filesystem;

// The stream every writer puts, in this order.
constexpr int stream_length = 40;

// Bounds on waits that only catch a hang.
constexpr std::chrono::seconds writer_bound{60};
constexpr std::chrono::seconds cut_bound{30};

// ---------------------------------------------------------------- the stream

// Put i stores content content_of(i): its own, except every fifth put, which
// repeats the put three before it (same bytes, scope and namespace; another
// filename, which the stored ref does not take: the first writer's wins).
int content_of(int i) {
  return i % 5 == 4 ? i - 3 : i;
}

// Sizes cycle through the edges of a page and of SQLite's overflow pages,
// with a large one now and then; content 0 is empty.
size_t size_of(int content) {
  static const size_t sizes[] = {10, 300, 4095, 4096, 4097, 20000, 65537, 150000, 1 << 20};
  return content == 0 ? 0 : sizes[static_cast<size_t>(content) % std::size(sizes)];
}

// Distinct bytes for every content: its number, then pseudo-random bytes.
std::string bytes_of(int content) {
  std::string bytes(size_of(content), '\0');
  std::mt19937_64 random(static_cast<uint64_t>(content) * 7919 + 17);
  for (size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = i < 8 ? static_cast<char>((static_cast<uint64_t>(content) >> (8 * i)) & 0xff)
                     : static_cast<char>(random() & 0xff);
  }
  return bytes;
}

// Scopes and namespaces vary, so that new folders (fs) and new index pages
// (sqlite) keep appearing along the stream.
v1::PutRequest request_of(int i) {
  const int content = content_of(i);
  v1::PutRequest request;
  auto* scope = request.mutable_scope();
  scope->set_tenant("tenant-" + std::to_string(content % 2));
  scope->set_user("user");
  scope->set_session("session-" + std::to_string(content % 3));
  scope->set_task(content % 4 == 1 ? "task" : "");
  request.set_namespace_(content % 3 == 2 ? "stream" : "");
  request.set_filename("put-" + std::to_string(i));
  request.set_data(bytes_of(content));
  if (content % 2 == 1) {
    auto& fields = *request.mutable_source()->mutable_fields();
    fields["content"].set_number_value(content);
    fields["label"].set_string_value("power cut");
  }
  return request;
}

// The put a stored ref's filename names, or -1.
int put_named_by(const v1::ArtifactRef& ref) {
  const std::string& name = ref.filename();
  if (name.rfind("put-", 0) != 0) {
    return -1;
  }
  try {
    return std::stoi(name.substr(4));
  } catch (const std::exception&) {
    return -1;
  }
}

std::string to_hex(const std::string& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char byte : bytes) {
    hex += digits[byte >> 4];
    hex += digits[byte & 15];
  }
  return hex;
}

std::string from_hex(const std::string& hex) {
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return bytes;
}

// ---------------------------------------------------------------- the writer

void write_line(int fd, const std::string& line) {
  const std::string text = line + "\n";
  // One write of a line shorter than PIPE_BUF: the parent reads whole lines.
  (void)!::write(fd, text.data(), text.size());
}

[[noreturn]] void wait_to_be_killed() {
  for (;;) {
    ::pause();
  }
}

// A preparation the writer runs on the mount before it opens the store.
using preparation = void (*)(const stdfs::path& mountpoint);

// After put I with I % 6 == 5 the writer deletes the artifact of put I - 2.
bool deletes_after(int put) {
  return put % 6 == 5;
}
int deleted_by(int put) {
  return put - 2;
}

// The writer's body, in the forked child: runs `prepare`, opens the store on
// `dsn` through open_store, reports "opened", then puts `first` up to
// `stop_before` (at most stream_length) one after the other, each followed
// by its delete when deletes_after says so (for a put of this writer).
// Reports "begin put I" before put I and "ack put I <hex of the ref>" after
// it is acknowledged, "begin delete J" and "ack delete J" around the delete
// of put J's artifact; "fail <what>" at the first failure, after which it
// stops; then "paused". Reports "error <what>" when it cannot start. Never
// returns: it waits for its SIGKILL, leaving the store open as a power cut
// would.
[[noreturn]] void run_writer(const std::string& dsn, const stdfs::path& mountpoint,
                             preparation prepare, int first, int stop_before, int fd) {
  try {
    if (prepare != nullptr) {
      prepare(mountpoint);
    }
    caf::actor_system_config cfg;
    configure_actor_system(cfg);
    caf::actor_system sys{cfg};
    store_config config;
    config.storage.dsn = dsn;
    config.pool_size = 2;
    config.request_timeout = std::chrono::seconds(20);
    auto opened = open_store(sys, config);
    if (!opened) {
      write_line(fd, "error open_store: " + to_string(opened.error()));
      wait_to_be_killed();
    }
    client store_client(sys, *opened);
    write_line(fd, "opened");
    std::map<int, v1::ArtifactRef> refs;
    for (int i = first; i < stop_before && i < stream_length; ++i) {
      write_line(fd, "begin put " + std::to_string(i));
      auto ref = store_client.put(request_of(i));
      if (!ref) {
        write_line(fd, "fail put " + std::to_string(i) + ": " + to_string(ref.error()));
        break;
      }
      write_line(fd, "ack put " + std::to_string(i) + " " + to_hex(ref->SerializeAsString()));
      refs[i] = *ref;
      const int victim = deleted_by(i);
      if (deletes_after(i) && refs.count(victim) != 0) {
        v1::Key key;
        *key.mutable_scope() = refs[victim].scope();
        key.set_id(refs[victim].id());
        write_line(fd, "begin delete " + std::to_string(victim));
        auto removed = store_client.remove(key);
        if (!removed) {
          write_line(fd,
                     "fail delete " + std::to_string(victim) + ": " + to_string(removed.error()));
          break;
        }
        write_line(fd, "ack delete " + std::to_string(victim));
      }
    }
    write_line(fd, "paused");
  } catch (const std::exception& e) {
    write_line(fd, std::string("error ") + e.what());
  } catch (...) {
    write_line(fd, "error unknown exception");
  }
  wait_to_be_killed();
}

// One acknowledged operation of a writer.
struct acknowledged_op {
  bool is_put;
  int put;              // the put, or the put whose artifact was deleted
  v1::ArtifactRef ref;  // a put's acknowledged ref
};

// What the parent learnt from one writer.
struct writer_log {
  bool opened = false;
  bool paused = false;
  std::set<int> begun;                            // puts begun
  std::map<int, v1::ArtifactRef> acknowledged;    // puts acknowledged
  std::vector<acknowledged_op> history;           // acknowledged puts and deletes, in order
  std::optional<std::pair<bool, int>> in_flight;  // the last operation begun, unanswered
  std::vector<std::string> failures;              // "fail" lines
  std::string error;                              // an "error" line, or an unknown one
  bool garbled = false;                           // an acknowledgement that did not parse
};

// Reads the writer's reports into `log` until `done(log)` holds, the writer
// ends, or `deadline` passes; true when done(log) held.
template <class Done>
bool read_reports(line_reader& reports, writer_log& log, clock::time_point deadline, Done done) {
  while (!done(log)) {
    auto line = reports.next(deadline);
    if (!line) {
      return false;
    }
    std::istringstream fields(*line);
    std::string kind;
    std::string what;
    int index = -1;
    fields >> kind;
    if (kind == "opened") {
      log.opened = true;
    } else if (kind == "paused") {
      log.paused = true;
    } else if (kind == "begin" && fields >> what >> index) {
      log.in_flight = std::make_pair(what == "put", index);
      if (what == "put") {
        log.begun.insert(index);
      }
    } else if (kind == "ack" && fields >> what >> index) {
      log.in_flight.reset();
      acknowledged_op op{what == "put", index, {}};
      if (op.is_put) {
        std::string hex;
        fields >> hex;
        log.garbled |= !op.ref.ParseFromString(from_hex(hex));
        log.acknowledged[index] = op.ref;
      }
      log.history.push_back(op);
    } else if (kind == "fail") {
      log.failures.push_back(*line);
    } else {
      log.error = *line;
    }
  }
  return true;
}

// Every report left in the pipe of a dead writer.
void drain_reports(line_reader& reports, writer_log& log) {
  read_reports(reports, log, clock::now() + std::chrono::seconds(5),
               [](const writer_log&) { return false; });
}

// ---------------------------------------------------------------- a driver

// How a case reaches one driver's store on a folder.
struct driver_case {
  const char* name;
  std::string (*dsn_in)(const stdfs::path& folder);
  preparation prepare;  // before the first open on a fresh mount; may be null
};

std::string sqlite_dsn(const stdfs::path& folder) {
  return "sqlite:" + (folder / "x.db").string();
}
std::string fs_dsn(const stdfs::path& folder) {
  return "fs:" + (folder / "root").string();
}

// Creates the fs store's root folder and syncs the folder holding it, as
// an operator setting up a store's folder would. (A root the driver creates
// itself is covered by its own case below.) Throws std::system_error.
void make_fs_root_durable(const stdfs::path& mountpoint) {
  if (::mkdir((mountpoint / "root").c_str(), 0755) != 0) {
    throw std::system_error(errno, std::generic_category(), "mkdir root");
  }
  const int folder = ::open(mountpoint.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (folder < 0 || ::fsync(folder) != 0) {
    throw std::system_error(errno, std::generic_category(), "fsync of the mount's root");
  }
  ::close(folder);
}

const driver_case sqlite_case{"sqlite", sqlite_dsn, nullptr};
const driver_case fs_case{"fs", fs_dsn, make_fs_root_durable};

// The stores of the known defects: folders the drivers create themselves.
std::string sqlite_new_folder_dsn(const stdfs::path& folder) {
  return "sqlite:" + (folder / "new" / "x.db").string();
}
const driver_case sqlite_new_folder_case{"sqlite", sqlite_new_folder_dsn, nullptr};
const driver_case fs_new_root_case{"fs", fs_dsn, nullptr};

// ---------------------------------------------------------------- the check

std::string describe(const v1::ArtifactRef& ref) {
  return ref.ShortDebugString();
}

std::string key_text(const v1::Scope& scope, const std::string& id) {
  return scope.ShortDebugString() + " " + id;
}

// What the store must hold for one key after a cut: the outcome of the last
// acknowledged operation on it.
struct expected_state {
  bool present;
  int put;              // the put acknowledged, or the put whose artifact was deleted
  v1::ArtifactRef ref;  // when present: the acknowledged ref
};

// The key each key_text names, as the store computes it for put `put`.
v1::ArtifactRef ref_of_put(int put) {
  return prepare_put(request_of(put), storage_options{}).ref;
}

// Opens the store the cut left in `folder`, after the writers of
// `generations` (in order), and checks, as Catch2 assertions: that it opens;
// that every listed artifact is whole (its bytes are found, hash to its
// sha256, have its size, and are the bytes of the put its filename names, a
// put that was begun); that every acknowledged put is there with exactly the
// acknowledged ref and bytes that hash to its sha256, unless a later
// acknowledged delete removed it; that every acknowledged delete stays
// deleted unless a later acknowledged put stored the artifact again; and
// that the store then takes a new put. An artifact whose last operation was
// in flight at a cut may be either way.
void check_after_cut(const driver_case& driver, const stdfs::path& folder,
                     const std::vector<const writer_log*>& generations) {
  std::map<std::string, expected_state> expected;
  std::set<std::string> uncertain;
  std::set<int> begun;
  for (const writer_log* log : generations) {
    for (const auto& op : log->history) {
      const auto ref = op.is_put ? op.ref : ref_of_put(op.put);
      const auto key = key_text(ref.scope(), ref.id());
      expected[key] = {op.is_put, op.put, op.ref};
      uncertain.erase(key);
    }
    if (log->in_flight) {
      const auto ref = ref_of_put(log->in_flight->second);
      uncertain.insert(key_text(ref.scope(), ref.id()));
    }
    begun.insert(log->begun.begin(), log->begun.end());
  }

  storage_options options;
  options.dsn = driver.dsn_in(folder);
  std::shared_ptr<artifacts::driver> drv;
  std::unique_ptr<operations> ops;
  try {
    drv = open_driver(options);
    ops = std::make_unique<operations>(drv->open_backend(), drv->options());
  } catch (const std::exception& e) {
    FAIL("the store does not open after the power cut: " << e.what());
  }

  std::vector<v1::ArtifactRef> listed;
  v1::ListRequest page;
  page.set_limit(7);
  for (;;) {
    v1::RefList refs;
    try {
      refs = ops->list(page);
    } catch (const std::exception& e) {
      FAIL("listing the store after the power cut failed: " << e.what());
    }
    listed.insert(listed.end(), refs.refs().begin(), refs.refs().end());
    if (refs.next_page_token().empty()) {
      break;
    }
    page.set_page_token(refs.next_page_token());
  }

  auto key_of = [](const v1::ArtifactRef& ref) {
    v1::Key key;
    *key.mutable_scope() = ref.scope();
    key.set_id(ref.id());
    return key;
  };
  auto fetch = [&](const v1::ArtifactRef& ref) -> std::optional<std::string> {
    v1::Blob blob = ops->get(key_of(ref));
    if (!blob.found()) {
      return std::nullopt;
    }
    return blob.data();
  };

  std::set<std::string> seen;
  for (const auto& ref : listed) {
    INFO("listed artifact " << describe(ref));
    CHECK(seen.insert(key_text(ref.scope(), ref.id())).second);
    const int put = put_named_by(ref);
    CHECK(put >= 0);
    if (put < 0) {
      continue;
    }
    CHECK(begun.count(put) == 1);  // never a put nobody began
    std::optional<std::string> bytes;
    try {
      bytes = fetch(ref);
    } catch (const std::exception& e) {
      FAIL_CHECK("a listed artifact cannot be read after the power cut: " << e.what());
      continue;
    }
    if (!bytes) {
      FAIL_CHECK("a listed artifact has no bytes after the power cut (partial put listed)");
      continue;
    }
    CHECK(static_cast<int64_t>(bytes->size()) == ref.size_bytes());
    CHECK(sha256_hex(*bytes) == ref.sha256());
    CHECK(*bytes == bytes_of(content_of(put)));
  }

  for (const auto& [key, state] : expected) {
    if (uncertain.count(key) != 0) {
      continue;
    }
    const auto ref = state.present ? state.ref : ref_of_put(state.put);
    v1::RefResult found;
    try {
      found = ops->get_ref(key_of(ref));
    } catch (const std::exception& e) {
      FAIL_CHECK("the artifact of put #" << state.put << " (" << ref.id()
                                         << ") cannot be read after the power cut: " << e.what());
      continue;
    }
    if (!state.present) {
      if (found.found()) {
        FAIL_CHECK("acknowledged delete of put #" << state.put << " (" << ref.id()
                                                  << ") undone by the power cut");
      }
      continue;
    }
    INFO("acknowledged put #" << state.put << ": " << describe(ref));
    if (!found.found()) {
      FAIL_CHECK("acknowledged put #" << state.put << " (" << ref.id()
                                      << ") missing after the power cut");
      continue;
    }
    if (!google::protobuf::util::MessageDifferencer::Equals(found.ref(), ref)) {
      FAIL_CHECK("acknowledged put #"
                 << state.put << " has another ref after the power cut: " << describe(found.ref()));
    }
    std::optional<std::string> bytes;
    try {
      bytes = fetch(ref);
    } catch (const std::exception& e) {
      FAIL_CHECK("the bytes of acknowledged put #"
                 << state.put << " (" << ref.id()
                 << ") cannot be read after the power cut: " << e.what());
      continue;
    }
    if (!bytes || sha256_hex(*bytes) != ref.sha256()) {
      FAIL_CHECK("the bytes of acknowledged put #" << state.put << " (" << ref.id() << ") are "
                                                   << (bytes ? "damaged" : "missing")
                                                   << " after the power cut");
    }
  }

  // The recovered store takes puts.
  auto extra = request_of(0);
  extra.set_data("written after the power cut");
  try {
    auto ref = ops->put(extra);
    CHECK(fetch(ref) == std::optional<std::string>(extra.data()));
  } catch (const std::exception& e) {
    FAIL_CHECK("the store takes no put after the power cut: " << e.what());
  }
}

// ---------------------------------------------------------------- the cases

// A fresh folder holding the mount point and the cut's images; removed, with
// the mount detached first, at the end of the case.
class work_folder {
 public:
  // Throws std::filesystem::filesystem_error when the folder cannot be made.
  work_folder() {
    static std::atomic<int> counter{0};
    path_ = stdfs::temp_directory_path() /
            ("power-cut-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    // A dead mount left by an earlier process of the same id would make
    // remove_all fail.
    ::umount2((path_ / "mnt").c_str(), MNT_DETACH);
    stdfs::remove_all(path_);
    stdfs::create_directories(path_ / "mnt");
  }
  // Never throws: a folder that cannot be removed is left behind.
  ~work_folder() {
    ::umount2((path_ / "mnt").c_str(), MNT_DETACH);
    std::error_code ignored;
    stdfs::remove_all(path_, ignored);
  }
  work_folder(const work_folder&) = delete;
  work_folder& operator=(const work_folder&) = delete;

  stdfs::path mountpoint() const { return path_ / "mnt"; }

  // A new empty folder for a cut's image.
  stdfs::path new_image(const std::string& name) const {
    stdfs::create_directories(path_ / name);
    return path_ / name;
  }

 private:
  stdfs::path path_;
};

// When the cut comes, or the crash: a crash kills the writer in the middle
// of an operation, and the file system keeps everything (no power loss).
struct cut_point {
  int after_acks;      // acknowledged puts to wait for first (0: none, not even the open)
  uint64_t then_ops;   // then cut in place of this mutating operation (0: cut the quiet store)
  bool crash = false;  // kill the writer at that operation instead of cutting the power
  // When set, then_ops counts from the next operation `op` on `path` (the
  // first counts 1) instead of from the acknowledgement.
  const char* op = nullptr;
  const char* path = nullptr;
};

std::string describe(const cut_point& point) {
  std::ostringstream text;
  if (point.then_ops == 0) {
    text << "after " << point.after_acks << " acknowledged puts, writer idle";
  } else if (point.after_acks == 0) {
    text << "at operation " << point.then_ops << " of opening a new store";
  } else if (point.op != nullptr) {
    text << "at operation " << point.then_ops << " from the first " << point.op << " of "
         << point.path << " after acknowledged put #" << point.after_acks - 1;
  } else {
    text << (point.crash ? "writer killed at operation " : "at operation ") << point.then_ops
         << " after acknowledged put #" << point.after_acks - 1;
  }
  return text.str();
}

size_t thread_count() {
  size_t count = 0;
  for (const auto& entry : stdfs::directory_iterator("/proc/self/task")) {
    (void)entry;
    ++count;
  }
  return count;
}

// One writer on `mount` (`fresh`: nothing was written there yet), putting
// the stream from put `first` on, cut (or crashed) at `point`; returns what
// it reported. Fails the case when the writer fails before the cut (a
// failure after it is what a power cut does) or a bound passes.
writer_log write_and_cut(const driver_case& driver, mounted_fs& mount, bool fresh, int first,
                         const cut_point& point) {
  const std::string dsn = driver.dsn_in(mount.mountpoint());
  const stdfs::path mountpoint = mount.mountpoint();
  const preparation prepare = fresh ? driver.prepare : nullptr;
  const int stop_before = point.then_ops == 0 ? first + point.after_acks : stream_length;
  const size_t wanted = static_cast<size_t>(point.after_acks);
  auto arm = [&] {
    if (point.crash) {
      mount.freeze_after(point.then_ops);
    } else if (point.op != nullptr) {
      mount.cut_at(point.op, point.path, point.then_ops);
    } else {
      mount.cut_after(point.then_ops);
    }
  };
  if (point.after_acks == 0) {
    arm();  // before the writer touches the mount
  }
  REQUIRE(thread_count() == 1);  // the child may then start threads of its own
  child_process writer(
      [&](int fd) { run_writer(dsn, mountpoint, prepare, first, stop_before, fd); });

  writer_log log;
  const auto deadline = clock::now() + scenarios::hang_bound(writer_bound);
  auto stopped = [](const writer_log& l) {
    return l.paused || !l.failures.empty() || !l.error.empty();
  };
  bool reached = true;
  if (point.after_acks > 0) {
    reached = read_reports(writer.reports(), log, deadline, [&](const writer_log& l) {
      // An idle cut waits for the writer's pause: a delete may follow the last put.
      return (point.then_ops != 0 && l.acknowledged.size() >= wanted) || stopped(l);
    });
    reached = reached && log.acknowledged.size() >= wanted;
  }
  bool happened = false;
  if (reached && point.then_ops == 0) {
    mount.cut();
    happened = true;
  } else if (reached) {
    if (point.after_acks > 0) {
      arm();
    }
    // Waits for the cut (or the freeze), watching the writer: one that
    // stops first (its stream done, or a failure) will not bring it.
    auto arrived = [&](clock::time_point until) {
      return point.crash ? mount.wait_for_freeze(until) : mount.wait_for_cut(until).has_value();
    };
    const auto cut_deadline = clock::now() + scenarios::hang_bound(cut_bound);
    while (!happened && clock::now() < cut_deadline) {
      happened = arrived(clock::now() + std::chrono::milliseconds(20));
      if (!happened && !stopped(log)) {
        read_reports(writer.reports(), log, clock::now() + std::chrono::milliseconds(20), stopped);
      } else if (!happened) {
        happened = arrived(clock::now() + std::chrono::seconds(1));
        break;
      }
    }
  }
  // The power is off (or the writer crashed): the writer dies, and what it
  // had reported is all it was told. A frozen operation is failed only once
  // the writer is dead, so that it never sees the failure.
  writer.send_kill();
  if (point.crash && happened) {
    mount.thaw();
  }
  const bool reaped = writer.kill();
  drain_reports(writer.reports(), log);
  INFO("writer: opened " << log.opened << ", " << log.acknowledged.size() << " acknowledged, "
                         << log.failures.size() << " failed"
                         << (log.failures.empty() ? "" : " (" + log.failures.front() + ")")
                         << (log.error.empty() ? "" : ", error: " + log.error));
  REQUIRE(reached);
  REQUIRE(happened);
  REQUIRE(reaped);
  REQUIRE_FALSE(log.garbled);
  return log;
}

// Runs one case of `driver` cut at `point` and checks the image; with
// `second`, the image is mounted again, the writer goes on with the rest
// of the stream and the power is cut a second time at `second`.
void run_case(const driver_case& driver, const cut_point& point,
              const std::optional<cut_point>& second = std::nullopt) {
  work_folder work;
  const auto image = work.new_image("image-1");
  writer_log log;
  {
    mounted_fs mount(work.mountpoint(), image);
    log = write_and_cut(driver, mount, true, 0, point);
  }
  if (!second) {
    check_after_cut(driver, image, {&log});
    return;
  }
  // The daemon reads the image before the check below changes it, so the
  // second generation recovers on the model, under its rules.
  const auto image2 = work.new_image("image-2");
  mounted_fs mount(work.mountpoint(), image2, image);
  check_after_cut(driver, image, {&log});
  const int next = log.acknowledged.empty() ? 0 : log.acknowledged.rbegin()->first + 1;
  writer_log log2 = write_and_cut(driver, mount, false, next, *second);
  mount.stop();
  // The first generation's acknowledged operations must survive the second
  // cut too, unless the second overrode them.
  check_after_cut(driver, image2, {&log, &log2});
}

// Kills the writer of `driver` at `crash` (crash.crash set) on a fresh
// mount, without power loss; then a second writer opens the store on the
// same mount and puts again only the put that was in flight at the crash
// (which the first may or may not have stored: nothing else is written that
// could sync what the first left behind), and the power is cut while it is
// idle. Every put either writer had acknowledged must be there.
void run_crash_then_cut(const driver_case& driver, const cut_point& crash) {
  work_folder work;
  const auto image = work.new_image("image-1");
  mounted_fs mount(work.mountpoint(), image);
  const writer_log log = write_and_cut(driver, mount, true, 0, crash);
  const int last = log.in_flight ? log.in_flight->second : crash.after_acks;
  const writer_log log2 = write_and_cut(driver, mount, false, last, {1, 0});
  mount.stop();
  check_after_cut(driver, image, {&log, &log2});
}

// The cut points of each kind; fewer under ThreadSanitizer. Operation
// counts follow the order of the FUSE requests one writer makes, which is
// the same on every run.
std::vector<cut_point> idle_points() {
  // After the first put, after a delete (put #11 deletes put #9's artifact),
  // and before and after SQLite's first checkpoint after the open (put #26,
  // 1 MiB, takes the WAL past 1000 pages).
  std::vector<cut_point> points = {{1, 0}, {12, 0}, {23, 0}, {28, 0}};
  points.resize(scenarios::load_volume<size_t>(points.size(), 1));
  return points;
}

std::vector<cut_point> mid_put_points() {
  // Spread over the stream, over puts of every size and over the first
  // puts of new scopes (new folders for fs) ...
  std::vector<cut_point> points = {{1, 1},  {3, 2},  {5, 3},   {7, 4},   {9, 5},
                                   {11, 7}, {14, 9}, {17, 12}, {21, 16}, {26, 23}};
  // ... and at every operation from put #9 on, which cuts each step of a put
  // (each write, sync and rename) once.
  for (uint64_t k = 1; k <= 20; ++k) {
    points.push_back({9, k});
  }
  points.resize(scenarios::load_volume<size_t>(points.size(), 3));
  return points;
}

std::vector<cut_point> opening_points() {
  std::vector<cut_point> points = {{0, 2}, {0, 6}, {0, 15}, {0, 40}};
  points.resize(scenarios::load_volume<size_t>(points.size(), 2));
  return points;
}

std::vector<cut_point> crash_points() {
  // Every operation of put #1 and of put #9 and the puts after them: the
  // crash hits each step once, the sync that commits the put among them.
  std::vector<cut_point> points;
  for (uint64_t k = 1; k <= 20; ++k) {
    points.push_back({1, k, true});
  }
  for (uint64_t k = 1; k <= 18; ++k) {
    points.push_back({9, k, true});
  }
  points.resize(scenarios::load_volume<size_t>(points.size(), 4));
  return points;
}

std::vector<cut_point> checkpoint_points() {
  // SQLite's automatic checkpoint in put #26's commit: syncs the WAL,
  // copies the pages into the database, truncates and syncs it; put #27
  // then starts the WAL over (a new header, synced) and commits.
  std::vector<cut_point> points;
  for (uint64_t k : {1, 2, 450, 903}) {
    points.push_back({20, k, false, "write", "/x.db"});
  }
  for (uint64_t k : {1, 2, 3, 4, 6}) {
    points.push_back({20, k, false, "fsync", "/x.db"});
  }
  points.resize(scenarios::load_volume<size_t>(points.size(), 3));
  return points;
}

void cut_idle(const driver_case& driver) {
  for (const auto& point : idle_points()) {
    DYNAMIC_SECTION(describe(point)) {
      run_case(driver, point);
    }
  }
}

void cut_checkpoint(const driver_case& driver) {
  for (const auto& point : checkpoint_points()) {
    DYNAMIC_SECTION(describe(point)) {
      run_case(driver, point);
    }
  }
}

void cut_mid_put(const driver_case& driver) {
  for (const auto& point : mid_put_points()) {
    DYNAMIC_SECTION(describe(point)) {
      run_case(driver, point);
    }
  }
}

void cut_while_opening(const driver_case& driver) {
  for (const auto& point : opening_points()) {
    DYNAMIC_SECTION(describe(point)) {
      run_case(driver, point);
    }
  }
}

void cut_twice(const driver_case& driver) {
  const std::pair<cut_point, cut_point> pairs[] = {
      {{6, 3}, {5, 0}}, {{8, 0}, {4, 6}}, {{12, 11}, {3, 2}}};
  const size_t count = scenarios::load_volume<size_t>(std::size(pairs), 1);
  for (size_t i = 0; i < count; ++i) {
    DYNAMIC_SECTION("first " << describe(pairs[i].first) << ", then "
                             << describe(pairs[i].second)) {
      run_case(driver, pairs[i].first, pairs[i].second);
    }
  }
}

void crash_then_cut(const driver_case& driver) {
  for (const auto& point : crash_points()) {
    DYNAMIC_SECTION(describe(point)) {
      run_crash_then_cut(driver, point);
    }
  }
}

}  // namespace

TEST_CASE("sqlite: a power cut after acknowledged puts loses none of them", "[power_cut][sqlite]") {
  cut_idle(sqlite_case);
}

TEST_CASE("sqlite: a power cut in the middle of a put loses no acknowledged put",
          "[power_cut][sqlite]") {
  cut_mid_put(sqlite_case);
}

TEST_CASE("sqlite: a power cut during a checkpoint loses no acknowledged put",
          "[power_cut][sqlite]") {
  cut_checkpoint(sqlite_case);
}

TEST_CASE("sqlite: a power cut while a new store is created leaves one that opens",
          "[power_cut][sqlite]") {
  cut_while_opening(sqlite_case);
}

TEST_CASE("sqlite: a store recovered from a power cut survives a second one",
          "[power_cut][sqlite]") {
  cut_twice(sqlite_case);
}

// SQLite itself shows a commit whose WAL sync a crash interrupted to the
// next process that opens the database (recovery reads the WAL the kernel
// still holds), and a power cut then takes it away: a put that finds such
// an artifact must not be acknowledged before it is durable. The driver is
// safe because open closes its setup connection, and the close of the last
// connection checkpoints, syncing the WAL first (keeping that connection
// open makes this case fail).
TEST_CASE("sqlite: a crash followed by a power cut loses no acknowledged put",
          "[power_cut][sqlite]") {
  crash_then_cut(sqlite_case);
}

TEST_CASE("fs: a power cut after acknowledged puts loses none of them", "[power_cut][fs]") {
  cut_idle(fs_case);
}

TEST_CASE("fs: a power cut in the middle of a put loses no acknowledged put", "[power_cut][fs]") {
  cut_mid_put(fs_case);
}

TEST_CASE("fs: a power cut while a new store is created leaves one that opens", "[power_cut][fs]") {
  cut_while_opening(fs_case);
}

TEST_CASE("fs: a store recovered from a power cut survives a second one", "[power_cut][fs]") {
  cut_twice(fs_case);
}

// A driver creates the folders a DSN names (the fs root, the folder of a
// SQLite file); unless it syncs the folder that holds each new one, a power
// cut loses the whole store.
TEST_CASE("fs: a root folder the driver created survives a power cut", "[power_cut][fs]") {
  run_case(fs_new_root_case, {3, 0});
}

TEST_CASE("sqlite: a database folder the driver created survives a power cut",
          "[power_cut][sqlite]") {
  run_case(sqlite_new_folder_case, {3, 0});
}

// A put that crashed after its renames and before the folder sync leaves a
// whole artifact that is not durable; the next process's put of the same
// artifact finds its sidecar and must sync the folder before it
// acknowledges it, or a power cut loses it.
TEST_CASE("fs: a crash followed by a power cut loses no acknowledged put", "[power_cut][fs]") {
  crash_then_cut(fs_case);
}
