// power_cut_fs: a FUSE file system that keeps in memory everything not yet made
// durable and, at a simulated power cut, keeps only what was.
//
// The durability model (what survives a cut), as strict as POSIX allows while
// correct code still passes:
//
// - A file's data (contents and size) is durable as of the last fsync or
//   fdatasync of that file (FUSE's fsync op). Writes and truncations after it
//   are lost. A file never synced is durable as an empty file, if its name is.
// - A directory's entries are durable as of the last fsync of that directory
//   (FUSE's fsyncdir op): an entry created, removed or renamed (create, mkdir,
//   unlink, rmdir, rename) after it is lost, and the entry it replaced, if
//   any, comes back. fsync of a file makes no name durable (fsync(2): "an
//   explicit fsync() on a file descriptor for the directory is also
//   needed"). fsync of a directory makes neither its subdirectories' entries
//   nor the data of its files durable, and not its own name in its parent.
// - A rename across directories is two entry changes, each durable with its
//   own directory's fsync. close, flush and release make nothing durable, and
//   nothing becomes durable by itself, however long ago it was written.
// - Modes and times are not kept: the image has default ones.
//
// Correct code passes: SQLite's unix VFS syncs the directory at the first
// sync of a journal or WAL it created (which also makes the database file's
// own name durable), syncs the WAL at every commit with synchronous = FULL,
// and syncs the WAL before a checkpoint writes the database and the database
// before the WAL starts over; the fs driver syncs a file before renaming it
// into place, the folder after its renames, and the parent after a mkdir.
//
// The model drops everything not durable. It does not also keep an arbitrary
// part of it (a later write but not an earlier one, one rename of two),
// which POSIX would allow too: it catches a missing sync, not code that
// relies on the order of unsynced changes.
//
// No file is special. SQLite's -shm file, which SQLite maps with
// mmap(MAP_SHARED) and never syncs, works on this mount: FUSE supports shared
// writable mappings of files opened without direct_io (the kernel writes the
// dirty pages back through the write op, always before an fsync of that
// file), so the mount uses the page cache and no direct_io, and SQLite never
// falls back. The -shm file loses everything at a cut like any unsynced
// file, which SQLite expects: the first connection after a crash rebuilds it
// from the WAL. The mount runs without FUSE's writeback cache, so every
// write() reaches the daemon before the call returns, in the program's
// order, and with no caching of names or attributes, so that after a cut
// nothing is answered from the kernel's cache.
//
// Usage: power_cut_fs MOUNTPOINT IMAGE_DIR [--load DIR] [--lifetime SECONDS]
//
// Mounts an empty file system (or a copy of DIR, all of it durable) over
// MOUNTPOINT and prints "mounted" on stdout. Commands come as lines on stdin,
// each answered with one line on stdout:
//   count        -> "count N"     the mutating operations served so far
//   cut          -> "cut N"       cut the power now
//   cut-after K  -> "armed N"     cut the power instead of serving the K-th
//                                 mutating operation from now (K >= 1); the
//                                 cut is then reported as "cut N" by itself
//   cut-at OP PATH K -> "armed OP PATH"
//                                 as cut-after K, counting from the next
//                                 operation OP (write, fsync, ...) on PATH
//                                 (as the mount sees it: "/x.db"), which is
//                                 the first (K = 1 cuts in its place)
//   freeze-after K -> "armed N"   hold the K-th mutating operation from now,
//                                 reporting "frozen N", until "thaw" (or
//                                 30 s), then fail it with EIO, changing
//                                 nothing: the test kills the process that
//                                 asked meanwhile, a crash without power loss
//   thaw         -> "thawed"
// A cut writes the durable state into IMAGE_DIR (which must be empty), and
// from then on every operation fails with EIO: the disk is gone. Mutating
// operations are write, truncate, create, mkdir, unlink, rmdir, rename, fsync
// and fsyncdir. SIGTERM, SIGINT, end of stdin, the end of the parent process
// or the lifetime (default 120 s) unmount and end the daemon, so that a test
// that dies leaves no mount behind. With POWER_CUT_FS_TRACE set in its
// environment, the daemon logs every mutating operation, numbered, on stderr.
#define FUSE_USE_VERSION 31

#include <fuse.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace stdfs = std::filesystem;

using inode_id = uint64_t;

// One file or directory: its current state and its durable state.
struct node {
  bool is_dir = false;
  mode_t mode = 0644;
  // Files.
  std::string data;
  std::string durable_data;
  // Directories: name -> inode.
  std::map<std::string, inode_id> entries;
  std::map<std::string, inode_id> durable_entries;
  // Names in the current tree (0 once unlinked; the node stays, since an
  // open descriptor or a durable entry may still refer to it).
  int links = 0;
  timespec mtime{};
};

constexpr inode_id root_ino = 1;

// The whole file system. Every FUSE operation and every command holds `lock`.
struct model {
  std::mutex lock;
  std::map<inode_id, node> nodes;
  inode_id next_ino = root_ino + 1;
  uint64_t mutations = 0;  // mutating operations served (or refused by the cut)
  uint64_t cut_at = 0;     // 0: not armed
  uint64_t freeze_at = 0;  // 0: not armed
  std::string match_op;    // cut-at: armed while not empty
  std::string match_path;
  uint64_t match_k = 0;
  bool frozen = false;  // an operation waits for "thaw"
  std::condition_variable thawed;
  bool cut = false;
  std::string image;
  bool trace = false;  // POWER_CUT_FS_TRACE set: every mutating operation on stderr
};

model* state = nullptr;

timespec now() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return ts;
}

void report(const std::string& line) {
  const std::string text = line + "\n";
  // One write of a short line: the reader sees whole lines.
  if (::write(STDOUT_FILENO, text.data(), text.size()) < 0) {
    // The test is gone; the end of stdin ends the daemon.
  }
}

// Writes the durable tree below `ino` into `path` (an existing folder). A
// directory reached a second time through stale durable entries (possible
// only after renames of directories) is written once.
void dump_dir(model& m, inode_id ino, const stdfs::path& path, std::set<inode_id>& seen) {
  if (!seen.insert(ino).second) {
    return;
  }
  for (const auto& [name, child] : m.nodes.at(ino).durable_entries) {
    const node& n = m.nodes.at(child);
    const auto target = path / name;
    if (n.is_dir) {
      stdfs::create_directory(target);
      dump_dir(m, child, target, seen);
    } else {
      std::ofstream out(target, std::ios::binary | std::ios::trunc);
      out.write(n.durable_data.data(), static_cast<std::streamsize>(n.durable_data.size()));
      if (!out) {
        throw std::runtime_error("cannot write " + target.string());
      }
    }
  }
}

// Cuts the power: writes the durable state into the image folder and refuses
// every later operation. Called with the lock held.
void cut_power(model& m) {
  if (m.cut) {
    return;
  }
  m.cut = true;
  try {
    std::set<inode_id> seen;
    dump_dir(m, root_ino, m.image, seen);
    report("cut " + std::to_string(m.mutations));
  } catch (const std::exception& e) {
    report(std::string("error cannot write the image: ") + e.what());
  }
}

// Counts one mutating operation; true when it must fail with EIO and change
// nothing: the power is cut, or the operation was frozen (then this waits,
// with `guard` released, until the test thaws it: by then the process that
// asked has been killed, as a crash kills it in the middle of a syscall).
bool refused_mutation(model& m, std::unique_lock<std::mutex>& guard, const char* op,
                      const char* path) {
  if (m.cut) {
    return true;
  }
  ++m.mutations;
  if (m.trace) {
    std::fprintf(stderr, "power_cut_fs: #%llu %s %s\n",
                 static_cast<unsigned long long>(m.mutations), op,
                 path != nullptr ? path : "(open file)");
  }
  if (!m.match_op.empty() && m.match_op == op && path != nullptr && m.match_path == path) {
    m.cut_at = m.mutations + m.match_k - 1;
    m.match_op.clear();
  }
  if (m.cut_at != 0 && m.mutations >= m.cut_at) {
    if (m.trace) {
      std::fprintf(stderr, "power_cut_fs: cut at #%llu\n",
                   static_cast<unsigned long long>(m.mutations));
    }
    cut_power(m);
    return true;
  }
  if (m.freeze_at != 0 && m.mutations >= m.freeze_at) {
    m.freeze_at = 0;
    m.frozen = true;
    report("frozen " + std::to_string(m.mutations));
    if (m.trace) {
      std::fprintf(stderr, "power_cut_fs: frozen at #%llu\n",
                   static_cast<unsigned long long>(m.mutations));
    }
    m.thawed.wait_for(guard, std::chrono::seconds(30), [&] { return !m.frozen; });
    m.frozen = false;
    return true;
  }
  return false;
}

// Splits "/a/b/c" into its parent "/a/b" and its name "c".
std::pair<std::string, std::string> split(const std::string& path) {
  const auto slash = path.rfind('/');
  std::string parent = slash == 0 ? "/" : path.substr(0, slash);
  return {parent, path.substr(slash + 1)};
}

// The inode at `path` in the current tree, or a negative errno.
int64_t resolve(model& m, const char* path) {
  if (path == nullptr) {
    return -ENOENT;
  }
  inode_id ino = root_ino;
  std::istringstream parts(path);
  std::string name;
  while (std::getline(parts, name, '/')) {
    if (name.empty()) {
      continue;
    }
    const node& dir = m.nodes.at(ino);
    if (!dir.is_dir) {
      return -ENOTDIR;
    }
    auto found = dir.entries.find(name);
    if (found == dir.entries.end()) {
      return -ENOENT;
    }
    ino = found->second;
  }
  return static_cast<int64_t>(ino);
}

// The inode of an open file or directory, else the one at `path`.
int64_t target(model& m, const char* path, const fuse_file_info* fi) {
  if (fi != nullptr && fi->fh != 0) {
    return static_cast<int64_t>(fi->fh);
  }
  return resolve(m, path);
}

void fill_stat(inode_id ino, const node& n, struct stat* st) {
  std::memset(st, 0, sizeof *st);
  st->st_ino = ino;
  st->st_mode = (n.is_dir ? S_IFDIR : S_IFREG) | (n.mode & 07777);
  st->st_nlink = n.is_dir ? 2 : static_cast<nlink_t>(n.links);
  st->st_uid = ::getuid();
  st->st_gid = ::getgid();
  st->st_size = n.is_dir ? 4096 : static_cast<off_t>(n.data.size());
  st->st_blksize = 4096;
  st->st_blocks = (st->st_size + 511) / 512;
  st->st_mtim = n.mtime;
  st->st_ctim = n.mtime;
  st->st_atim = n.mtime;
}

// Adds a new node named by `path` to its parent's current entries.
int make_node(model& m, const char* path, bool is_dir, mode_t mode, inode_id* made) {
  const auto [parent_path, name] = split(path);
  const int64_t parent = resolve(m, parent_path.c_str());
  if (parent < 0) {
    return static_cast<int>(parent);
  }
  node& dir = m.nodes.at(static_cast<inode_id>(parent));
  if (!dir.is_dir) {
    return -ENOTDIR;
  }
  if (dir.entries.count(name) != 0) {
    return -EEXIST;
  }
  const inode_id ino = m.next_ino++;
  node& created = m.nodes[ino];
  created.is_dir = is_dir;
  created.mode = mode & 07777;
  created.links = 1;
  created.mtime = now();
  m.nodes.at(static_cast<inode_id>(parent)).entries[name] = ino;
  *made = ino;
  return 0;
}

// The FUSE operations. Each does what its system call does to the current
// tree, under the model's lock, and returns 0 (or a count) or a negative
// errno; after the cut every one but release fails with EIO. Mutating ones
// count through refused_mutation before they change anything.
#define LOCKED std::unique_lock<std::mutex> guard(state->lock)

int op_getattr(const char* path, struct stat* st, fuse_file_info* fi) {
  LOCKED;
  if (state->cut) return -EIO;
  const int64_t ino = target(*state, path, fi);
  if (ino < 0) return static_cast<int>(ino);
  fill_stat(static_cast<inode_id>(ino), state->nodes.at(static_cast<inode_id>(ino)), st);
  return 0;
}

int op_access(const char* path, int) {
  LOCKED;
  if (state->cut) return -EIO;
  const int64_t ino = resolve(*state, path);
  return ino < 0 ? static_cast<int>(ino) : 0;
}

int op_mkdir(const char* path, mode_t mode) {
  LOCKED;
  if (refused_mutation(*state, guard, "mkdir", path)) return -EIO;
  inode_id made = 0;
  return make_node(*state, path, true, mode, &made);
}

int op_create(const char* path, mode_t mode, fuse_file_info* fi) {
  LOCKED;
  if (refused_mutation(*state, guard, "create", path)) return -EIO;
  int64_t ino = resolve(*state, path);
  if (ino >= 0) {
    if (fi->flags & O_EXCL) return -EEXIST;
    if (state->nodes.at(static_cast<inode_id>(ino)).is_dir) return -EISDIR;
    if (fi->flags & O_TRUNC) state->nodes.at(static_cast<inode_id>(ino)).data.clear();
  } else {
    inode_id made = 0;
    const int res = make_node(*state, path, false, mode, &made);
    if (res != 0) return res;
    ino = static_cast<int64_t>(made);
  }
  fi->fh = static_cast<uint64_t>(ino);
  return 0;
}

int op_open(const char* path, fuse_file_info* fi) {
  LOCKED;
  if (state->cut) return -EIO;
  const int64_t ino = resolve(*state, path);
  if (ino < 0) return static_cast<int>(ino);
  if (state->nodes.at(static_cast<inode_id>(ino)).is_dir) return -EISDIR;
  fi->fh = static_cast<uint64_t>(ino);
  return 0;
}

int op_read(const char* path, char* buf, size_t size, off_t off, fuse_file_info* fi) {
  LOCKED;
  if (state->cut) return -EIO;
  const int64_t ino = target(*state, path, fi);
  if (ino < 0) return static_cast<int>(ino);
  const std::string& data = state->nodes.at(static_cast<inode_id>(ino)).data;
  if (off < 0 || static_cast<size_t>(off) >= data.size()) return 0;
  const size_t n = std::min(size, data.size() - static_cast<size_t>(off));
  std::memcpy(buf, data.data() + off, n);
  return static_cast<int>(n);
}

int op_write(const char* path, const char* buf, size_t size, off_t off, fuse_file_info* fi) {
  LOCKED;
  if (refused_mutation(*state, guard, "write", path)) return -EIO;
  const int64_t ino = target(*state, path, fi);
  if (ino < 0) return static_cast<int>(ino);
  node& n = state->nodes.at(static_cast<inode_id>(ino));
  const size_t end = static_cast<size_t>(off) + size;
  if (n.data.size() < end) n.data.resize(end, '\0');
  std::memcpy(n.data.data() + off, buf, size);
  n.mtime = now();
  return static_cast<int>(size);
}

int op_truncate(const char* path, off_t size, fuse_file_info* fi) {
  LOCKED;
  if (refused_mutation(*state, guard, "truncate", path)) return -EIO;
  const int64_t ino = target(*state, path, fi);
  if (ino < 0) return static_cast<int>(ino);
  node& n = state->nodes.at(static_cast<inode_id>(ino));
  if (n.is_dir) return -EISDIR;
  n.data.resize(static_cast<size_t>(size), '\0');
  n.mtime = now();
  return 0;
}

// Removes the entry `path` names from its folder (unlink with want_dir
// false, rmdir with true); 0 or a negative errno. The removal is volatile
// until the folder is synced, like every entry change.
int remove_entry(model& fs, const char* path, bool want_dir) {
  const auto [parent_path, name] = split(path);
  const int64_t parent = resolve(fs, parent_path.c_str());
  if (parent < 0) return static_cast<int>(parent);
  node& dir = fs.nodes.at(static_cast<inode_id>(parent));
  auto found = dir.entries.find(name);
  if (found == dir.entries.end()) return -ENOENT;
  node& victim = fs.nodes.at(found->second);
  if (victim.is_dir != want_dir) return want_dir ? -ENOTDIR : -EISDIR;
  if (want_dir && !victim.entries.empty()) return -ENOTEMPTY;
  victim.links = 0;
  dir.entries.erase(found);
  return 0;
}

int op_unlink(const char* path) {
  LOCKED;
  if (refused_mutation(*state, guard, "unlink", path)) return -EIO;
  return remove_entry(*state, path, false);
}

int op_rmdir(const char* path) {
  LOCKED;
  if (refused_mutation(*state, guard, "rmdir", path)) return -EIO;
  return remove_entry(*state, path, true);
}

// True when directory `ancestor` is `ino` or holds it somewhere below.
bool holds(model& m, inode_id ancestor, inode_id ino) {
  if (ancestor == ino) return true;
  for (const auto& [name, child] : m.nodes.at(ancestor).entries) {
    if (m.nodes.at(child).is_dir && holds(m, child, ino)) return true;
  }
  return false;
}

int op_rename(const char* from, const char* to, unsigned int flags) {
  LOCKED;
  if (refused_mutation(*state, guard, "rename", from)) return -EIO;
  if (flags & ~static_cast<unsigned int>(RENAME_NOREPLACE)) return -EINVAL;
  const auto [from_parent_path, from_name] = split(from);
  const auto [to_parent_path, to_name] = split(to);
  const int64_t from_parent = resolve(*state, from_parent_path.c_str());
  const int64_t to_parent = resolve(*state, to_parent_path.c_str());
  if (from_parent < 0) return static_cast<int>(from_parent);
  if (to_parent < 0) return static_cast<int>(to_parent);
  node& source_dir = state->nodes.at(static_cast<inode_id>(from_parent));
  node& target_dir = state->nodes.at(static_cast<inode_id>(to_parent));
  if (!target_dir.is_dir) return -ENOTDIR;
  auto moving = source_dir.entries.find(from_name);
  if (moving == source_dir.entries.end()) return -ENOENT;
  const inode_id ino = moving->second;
  node& moved = state->nodes.at(ino);
  if (moved.is_dir && holds(*state, ino, static_cast<inode_id>(to_parent))) return -EINVAL;
  auto replaced = target_dir.entries.find(to_name);
  if (replaced != target_dir.entries.end()) {
    if (replaced->second == ino) return 0;
    if (flags & RENAME_NOREPLACE) return -EEXIST;
    node& old = state->nodes.at(replaced->second);
    if (old.is_dir && !moved.is_dir) return -EISDIR;
    if (!old.is_dir && moved.is_dir) return -ENOTDIR;
    if (old.is_dir && !old.entries.empty()) return -ENOTEMPTY;
    old.links = 0;
  }
  source_dir.entries.erase(moving);
  state->nodes.at(static_cast<inode_id>(to_parent)).entries[to_name] = ino;
  return 0;
}

int op_fsync(const char* path, int, fuse_file_info* fi) {
  LOCKED;
  if (refused_mutation(*state, guard, "fsync", path)) return -EIO;
  const int64_t ino = target(*state, path, fi);
  if (ino < 0) return static_cast<int>(ino);
  node& n = state->nodes.at(static_cast<inode_id>(ino));
  n.durable_data = n.data;
  return 0;
}

int op_fsyncdir(const char* path, int, fuse_file_info* fi) {
  LOCKED;
  if (refused_mutation(*state, guard, "fsyncdir", path)) return -EIO;
  const int64_t ino = target(*state, path, fi);
  if (ino < 0) return static_cast<int>(ino);
  node& n = state->nodes.at(static_cast<inode_id>(ino));
  n.durable_entries = n.entries;
  return 0;
}

int op_opendir(const char* path, fuse_file_info* fi) {
  LOCKED;
  if (state->cut) return -EIO;
  const int64_t ino = resolve(*state, path);
  if (ino < 0) return static_cast<int>(ino);
  if (!state->nodes.at(static_cast<inode_id>(ino)).is_dir) return -ENOTDIR;
  fi->fh = static_cast<uint64_t>(ino);
  return 0;
}

int op_readdir(const char* path, void* buf, fuse_fill_dir_t filler, off_t, fuse_file_info* fi,
               fuse_readdir_flags) {
  LOCKED;
  if (state->cut) return -EIO;
  const int64_t ino = target(*state, path, fi);
  if (ino < 0) return static_cast<int>(ino);
  const auto no_flags = static_cast<fuse_fill_dir_flags>(0);
  filler(buf, ".", nullptr, 0, no_flags);
  filler(buf, "..", nullptr, 0, no_flags);
  for (const auto& [name, child] : state->nodes.at(static_cast<inode_id>(ino)).entries) {
    struct stat st {};
    fill_stat(child, state->nodes.at(child), &st);
    if (filler(buf, name.c_str(), &st, 0, no_flags) != 0) break;
  }
  return 0;
}

int op_release(const char*, fuse_file_info*) {
  return 0;
}

int op_flush(const char*, fuse_file_info*) {
  LOCKED;
  return state->cut ? -EIO : 0;
}

int op_chmod(const char* path, mode_t mode, fuse_file_info* fi) {
  LOCKED;
  if (state->cut) return -EIO;
  const int64_t ino = target(*state, path, fi);
  if (ino < 0) return static_cast<int>(ino);
  state->nodes.at(static_cast<inode_id>(ino)).mode = mode & 07777;
  return 0;
}

int op_chown(const char* path, uid_t, gid_t, fuse_file_info* fi) {
  LOCKED;
  if (state->cut) return -EIO;
  const int64_t ino = target(*state, path, fi);
  return ino < 0 ? static_cast<int>(ino) : 0;
}

int op_utimens(const char* path, const timespec tv[2], fuse_file_info* fi) {
  LOCKED;
  if (state->cut) return -EIO;
  const int64_t ino = target(*state, path, fi);
  if (ino < 0) return static_cast<int>(ino);
  state->nodes.at(static_cast<inode_id>(ino)).mtime = tv[1].tv_nsec == UTIME_NOW ? now() : tv[1];
  return 0;
}

int op_statfs(const char*, struct statvfs* st) {
  LOCKED;
  if (state->cut) return -EIO;
  std::memset(st, 0, sizeof *st);
  st->f_bsize = 4096;
  st->f_frsize = 4096;
  st->f_blocks = 1u << 20;
  st->f_bfree = 1u << 19;
  st->f_bavail = 1u << 19;
  st->f_files = 1u << 20;
  st->f_ffree = 1u << 19;
  st->f_favail = 1u << 19;
  st->f_namemax = 255;
  return 0;
}

void* op_init(fuse_conn_info* conn, fuse_config* cfg) {
  // Every write reaches the daemon when the writer's syscall returns (no
  // writeback cache), so the model sees the order the program wrote in.
  conn->want &= ~static_cast<unsigned>(FUSE_CAP_WRITEBACK_CACHE);
  cfg->use_ino = 1;
  // Unlink removes the name at once instead of hiding an open file under
  // .fuse_hidden*: the model keeps the node while it is needed.
  cfg->hard_remove = 1;
  // No cached names or attributes: after the cut nothing is answered.
  cfg->entry_timeout = 0;
  cfg->attr_timeout = 0;
  cfg->negative_timeout = 0;
  cfg->kernel_cache = 0;
  // The page cache stays: with direct_io, mmap(MAP_SHARED) of a file fails
  // with ENODEV, and SQLite fails its -shm file ("disk I/O error") rather
  // than fall back.
  cfg->direct_io = 0;
  return nullptr;
}

// Loads folder `path` into directory `ino`, all of it durable.
void load_dir(model& m, inode_id ino, const stdfs::path& path) {
  for (const auto& entry : stdfs::directory_iterator(path)) {
    const inode_id child = m.next_ino++;
    node& n = m.nodes[child];
    n.links = 1;
    n.mtime = now();
    if (entry.is_directory()) {
      n.is_dir = true;
      n.mode = 0755;
      load_dir(m, child, entry.path());
    } else {
      std::ifstream in(entry.path(), std::ios::binary);
      n.data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      n.durable_data = n.data;
    }
    m.nodes.at(ino).entries[entry.path().filename().string()] = child;
  }
  m.nodes.at(ino).durable_entries = m.nodes.at(ino).entries;
}

// Reads commands from stdin until it ends or the lifetime passes, then asks
// the FUSE loop to end (SIGTERM, handled by libfuse's handler).
void serve_commands(std::chrono::seconds lifetime) {
  const auto deadline = std::chrono::steady_clock::now() + lifetime;
  std::string pending;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd in{STDIN_FILENO, POLLIN, 0};
    const int ready = ::poll(&in, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    char buffer[256];
    const ssize_t got = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    pending.append(buffer, static_cast<size_t>(got));
    for (auto end = pending.find('\n'); end != std::string::npos; end = pending.find('\n')) {
      std::istringstream line(pending.substr(0, end));
      pending.erase(0, end + 1);
      std::string command;
      line >> command;
      LOCKED;
      if (command == "count") {
        report("count " + std::to_string(state->mutations));
      } else if (command == "cut") {
        if (state->cut) {
          report("cut " + std::to_string(state->mutations));  // an armed point came first
        } else {
          cut_power(*state);
        }
      } else if (command == "cut-after") {
        uint64_t k = 0;
        if (!(line >> k) || k == 0) {
          report("error cut-after needs a count of at least 1");
        } else {
          state->cut_at = state->mutations + k;
          report("armed " + std::to_string(state->cut_at));
        }
      } else if (command == "cut-at") {
        uint64_t k = 0;
        std::string op;
        std::string path;
        if (!(line >> op >> path >> k) || k == 0) {
          report("error cut-at needs an operation, a path and a count of at least 1");
        } else {
          state->match_op = op;
          state->match_path = path;
          state->match_k = k;
          report("armed " + op + " " + path);
        }
      } else if (command == "freeze-after") {
        uint64_t k = 0;
        if (!(line >> k) || k == 0) {
          report("error freeze-after needs a count of at least 1");
        } else {
          state->freeze_at = state->mutations + k;
          report("armed " + std::to_string(state->freeze_at));
        }
      } else if (command == "thaw") {
        state->frozen = false;
        state->thawed.notify_all();
        report("thawed");
      } else {
        report("error unknown command \"" + command + "\"");
      }
    }
  }
  ::kill(::getpid(), SIGTERM);
}

}  // namespace

int main(int argc, char** argv) {
  // Ends with the test, whatever ends the test.
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: power_cut_fs MOUNTPOINT IMAGE_DIR [--load DIR] [--lifetime SECONDS]\n");
    return 2;
  }
  const std::string mountpoint = argv[1];
  model m;
  m.image = argv[2];
  m.trace = std::getenv("POWER_CUT_FS_TRACE") != nullptr;
  std::string load;
  long lifetime = 120;
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--load") {
      load = argv[i + 1];
    } else if (flag == "--lifetime") {
      lifetime = std::strtol(argv[i + 1], nullptr, 10);
    } else {
      std::fprintf(stderr, "power_cut_fs: unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  node& root = m.nodes[root_ino];
  root.is_dir = true;
  root.mode = 0755;
  root.links = 1;
  root.mtime = now();
  try {
    if (!load.empty()) load_dir(m, root_ino, load);
    if (!stdfs::is_directory(m.image) || !stdfs::is_empty(m.image)) {
      report("error the image folder " + m.image + " is not an empty folder");
      return 1;
    }
  } catch (const std::exception& e) {
    report(std::string("error ") + e.what());
    return 1;
  }
  state = &m;

  fuse_operations ops{};
  ops.getattr = op_getattr;
  ops.access = op_access;
  ops.mkdir = op_mkdir;
  ops.create = op_create;
  ops.open = op_open;
  ops.read = op_read;
  ops.write = op_write;
  ops.truncate = op_truncate;
  ops.unlink = op_unlink;
  ops.rmdir = op_rmdir;
  ops.rename = op_rename;
  ops.fsync = op_fsync;
  ops.fsyncdir = op_fsyncdir;
  ops.opendir = op_opendir;
  ops.readdir = op_readdir;
  ops.release = op_release;
  ops.releasedir = op_release;
  ops.flush = op_flush;
  ops.chmod = op_chmod;
  ops.chown = op_chown;
  ops.utimens = op_utimens;
  ops.statfs = op_statfs;
  ops.init = op_init;

  char arg0[] = "power_cut_fs";
  char* fuse_argv[] = {arg0, nullptr};
  fuse_args args = FUSE_ARGS_INIT(1, fuse_argv);
  fuse* fs = fuse_new(&args, &ops, sizeof ops, nullptr);
  if (fs == nullptr) {
    report("error fuse_new failed");
    return 1;
  }
  if (fuse_mount(fs, mountpoint.c_str()) != 0) {
    report("error cannot mount FUSE over " + mountpoint +
           " (is /dev/fuse there, and is this process root?)");
    fuse_destroy(fs);
    return 1;
  }
  fuse_session* session = fuse_get_session(fs);
  if (fuse_set_signal_handlers(session) != 0) {
    report("error cannot install signal handlers");
    fuse_unmount(fs);
    fuse_destroy(fs);
    return 1;
  }
  // The command thread takes no signal: SIGTERM must interrupt the FUSE
  // loop's read on /dev/fuse in this thread.
  sigset_t all;
  sigfillset(&all);
  sigset_t previous;
  pthread_sigmask(SIG_BLOCK, &all, &previous);
  std::thread commands(serve_commands, std::chrono::seconds(lifetime));
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  report("mounted");
  const int loop = fuse_loop(fs);
  fuse_remove_signal_handlers(session);
  fuse_unmount(fs);
  fuse_destroy(fs);
  // The command thread ends at the end of stdin or at the lifetime; the
  // process does not wait for it.
  commands.detach();
  std::fflush(nullptr);
  ::_exit(loop == 0 ? 0 : 1);
}
