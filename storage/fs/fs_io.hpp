// The POSIX file operations of the filesystem driver, all relative to open
// folder descriptors: no path ever grows past one name, so deep trees never
// meet PATH_MAX, and symlinks are never followed.
//
// Every function throws std::system_error carrying errno; the driver's guard
// (fs_guard.hpp) maps it to store_error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace artifacts::fs {

// Owns one file descriptor; empty when it holds none.
class unique_fd {
 public:
  unique_fd() noexcept = default;
  explicit unique_fd(int fd) noexcept : fd_(fd) {}
  ~unique_fd();

  unique_fd(unique_fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  unique_fd& operator=(unique_fd&& other) noexcept;

  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// Opens `path` (a folder, created with its parents when missing, each new
// one synced into its parent; see create_folders_durably).
unique_fd open_root(const std::string& path);

// Opens folder `name` inside `parent`. With `create`, makes it first when
// missing and syncs `parent`, so that the new entry survives a crash.
// Without `create`, returns an empty descriptor when there is no folder by
// that name (missing, a file, or a symlink).
unique_fd open_folder(int parent, const std::string& name, bool create);

// Opens names[0] inside `base`, names[1] inside that, and so on for the
// first `count` names; an empty descriptor as soon as one is missing (see
// open_folder). count 0 opens `base` again.
unique_fd open_folders(int base, const std::vector<std::string>& names, size_t count, bool create);

// The contents of file `name` in `folder`; nullopt when there is no regular
// file by that name.
std::optional<std::string> read_file(int folder, const std::string& name);

// Up to `length` bytes of file `name` in `folder` from `offset` (pread:
// nothing before them is read), and the file's size; nullopt when there is
// no regular file by that name.
struct file_range {
  std::string bytes;
  uint64_t file_size = 0;
};
std::optional<file_range> read_file_range(int folder, const std::string& name, uint64_t offset,
                                          uint64_t length);

// Puts `data` at `name` in `folder` atomically: writes a temporary file
// (temp_prefix + a unique suffix), syncs it and renames it over `name`. A
// reader sees the old file or the whole new one. The rename is durable only
// once the folder is synced (sync).
void replace_file(int folder, const std::string& name, std::string_view data);

// Makes file `name` in `folder` (created when missing) exactly `size` bytes
// long, cutting off whatever lies past them, then writes `data` after them
// and syncs the file. Returns false, changing nothing, when the file holds
// fewer than `size` bytes (or is not a regular file). The one function that
// writes a file in place: for a file only its writer reads past `size`.
bool write_after(int folder, const std::string& name, uint64_t size, std::string_view data);

// Gives file `from_name` in `from_folder` the further name `name` in
// `folder`, replacing any file there atomically (a hard link under a
// temporary name, renamed over `name`): no byte is copied, and both names
// lead to the same file until one is removed. Both folders must be on one
// filesystem. The new name is durable only once `folder` is synced.
void link_file(int from_folder, const std::string& from_name, int folder, const std::string& name);

// Flushes a file or a folder (its entries) to stable storage.
void sync(int fd);

// Removes file `name` from `folder`; false when it was not there.
bool remove_file(int folder, const std::string& name);

// Removes folder `name` from `parent` when it is empty; false otherwise.
bool remove_empty_folder(int parent, const std::string& name);

// The names in `folder`, without "." and "..", in no particular order.
std::vector<std::string> entry_names(int folder);

// Takes an exclusive lock on file `name` in `folder` (created when missing)
// without waiting; an empty descriptor when another open file description
// holds it, in this process or another. The lock lasts as long as the
// returned descriptor.
unique_fd try_lock_file(int folder, const std::string& name);

}  // namespace artifacts::fs
