#include "storage/fs/fs_io.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <random>
#include <system_error>

#include "storage/durable_folders.hpp"
#include "storage/fs/fs_layout.hpp"

namespace artifacts::fs {

namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

bool is_absent(int error) noexcept {
  return error == ENOENT || error == ENOTDIR || error == ELOOP;
}

std::string unique_temp_name() {
  static std::atomic<uint64_t> counter{0};
  static const uint64_t salt = std::random_device{}();
  return std::string(temp_prefix) + std::to_string(::getpid()) + "-" + std::to_string(salt) + "-" +
         std::to_string(counter.fetch_add(1));
}

void write_all(int fd, std::string_view data, const std::string& name) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write " + name);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

unique_fd::~unique_fd() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

unique_fd& unique_fd::operator=(unique_fd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

unique_fd open_root(const std::string& path) {
  create_folders_durably(path);
  unique_fd fd{::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (!fd) {
    fail("cannot open " + path);
  }
  return fd;
}

unique_fd open_folder(int parent, const std::string& name, bool create) {
  constexpr int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  unique_fd fd{::openat(parent, name.c_str(), flags)};
  if (fd) {
    return fd;
  }
  if (!create || errno != ENOENT) {
    if (!create && is_absent(errno)) {
      return {};
    }
    fail("cannot open folder " + name);
  }
  if (::mkdirat(parent, name.c_str(), 0755) != 0 && errno != EEXIST) {
    fail("cannot create folder " + name);
  }
  // Also after EEXIST: a concurrent put that made the folder may not have
  // synced `parent` yet, and this put must not be acknowledged before it is.
  sync(parent);
  fd = unique_fd{::openat(parent, name.c_str(), flags)};
  if (!fd) {
    fail("cannot open folder " + name);
  }
  return fd;
}

unique_fd open_folders(int base, const std::vector<std::string>& names, size_t count, bool create) {
  unique_fd current{::fcntl(base, F_DUPFD_CLOEXEC, 0)};
  if (!current) {
    fail("cannot duplicate a folder descriptor");
  }
  for (size_t i = 0; i < count; ++i) {
    current = open_folder(current.get(), names[i], create);
    if (!current) {
      return {};
    }
  }
  return current;
}

namespace {

// Opens file `name` in `folder` for reading, with its size; an empty
// descriptor when there is no regular file by that name.
unique_fd open_regular(int folder, const std::string& name, uint64_t& size) {
  unique_fd fd{::openat(folder, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)};
  if (!fd) {
    if (is_absent(errno)) {
      return {};
    }
    fail("cannot open " + name);
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    fail("cannot stat " + name);
  }
  if (!S_ISREG(info.st_mode)) {
    return {};
  }
  size = static_cast<uint64_t>(info.st_size);
  return fd;
}

}  // namespace

std::optional<file_range> read_file_range(int folder, const std::string& name, uint64_t offset,
                                          uint64_t length) {
  file_range range;
  auto fd = open_regular(folder, name, range.file_size);
  if (!fd) {
    return std::nullopt;
  }
  if (offset >= range.file_size) {
    return range;
  }
  range.bytes.resize(static_cast<size_t>(std::min(length, range.file_size - offset)));
  size_t filled = 0;
  while (filled < range.bytes.size()) {
    ssize_t n = ::pread(fd.get(), range.bytes.data() + filled, range.bytes.size() - filled,
                        static_cast<off_t>(offset + filled));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot read " + name);
    }
    if (n == 0) {
      break;  // Files are replaced, never written in place; this only guards the read.
    }
    filled += static_cast<size_t>(n);
  }
  range.bytes.resize(filled);
  return range;
}

std::optional<std::string> read_file(int folder, const std::string& name) {
  uint64_t size = 0;
  auto fd = open_regular(folder, name, size);
  if (!fd) {
    return std::nullopt;
  }
  std::string data(static_cast<size_t>(size), '\0');
  size_t filled = 0;
  for (;;) {
    if (filled == data.size()) {
      // Files are replaced, never written in place; this only guards the read.
      data.resize(data.size() + 4096);
    }
    ssize_t n = ::read(fd.get(), data.data() + filled, data.size() - filled);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot read " + name);
    }
    if (n == 0) {
      break;
    }
    filled += static_cast<size_t>(n);
  }
  data.resize(filled);
  return data;
}

void replace_file(int folder, const std::string& name, std::string_view data) {
  const std::string temp = unique_temp_name();
  unique_fd fd{
      ::openat(folder, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)};
  if (!fd) {
    fail("cannot create " + temp);
  }
  try {
    write_all(fd.get(), data, temp);
    sync(fd.get());
    if (::renameat(folder, temp.c_str(), folder, name.c_str()) != 0) {
      fail("cannot rename " + temp + " to " + name);
    }
  } catch (...) {
    ::unlinkat(folder, temp.c_str(), 0);
    throw;
  }
}

bool write_after(int folder, const std::string& name, uint64_t size, std::string_view data) {
  unique_fd fd{::openat(folder, name.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644)};
  if (!fd) {
    fail("cannot open " + name);
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    fail("cannot stat " + name);
  }
  if (!S_ISREG(info.st_mode) || static_cast<uint64_t>(info.st_size) < size) {
    return false;
  }
  if (static_cast<uint64_t>(info.st_size) > size &&
      ::ftruncate(fd.get(), static_cast<off_t>(size)) != 0) {
    fail("cannot cut " + name);
  }
  for (uint64_t at = size; !data.empty();) {
    ssize_t n = ::pwrite(fd.get(), data.data(), data.size(), static_cast<off_t>(at));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write " + name);
    }
    data.remove_prefix(static_cast<size_t>(n));
    at += static_cast<uint64_t>(n);
  }
  sync(fd.get());
  return true;
}

void link_file(int from_folder, const std::string& from_name, int folder, const std::string& name) {
  const std::string temp = unique_temp_name();
  if (::linkat(from_folder, from_name.c_str(), folder, temp.c_str(), 0) != 0) {
    fail("cannot link " + from_name + " to " + temp);
  }
  const bool renamed = ::renameat(folder, temp.c_str(), folder, name.c_str()) == 0;
  const int error = errno;
  // Also after a rename: when `name` already led to the same file, the
  // rename succeeds doing nothing and leaves the temporary name.
  ::unlinkat(folder, temp.c_str(), 0);
  if (!renamed) {
    errno = error;
    fail("cannot rename " + temp + " to " + name);
  }
}

void sync(int fd) {
  while (::fsync(fd) != 0) {
    if (errno != EINTR) {
      fail("cannot sync");
    }
  }
}

bool remove_file(int folder, const std::string& name) {
  if (::unlinkat(folder, name.c_str(), 0) == 0) {
    return true;
  }
  if (errno == ENOENT) {
    return false;
  }
  fail("cannot remove " + name);
}

bool remove_empty_folder(int parent, const std::string& name) {
  if (::unlinkat(parent, name.c_str(), AT_REMOVEDIR) == 0) {
    return true;
  }
  if (errno == ENOENT || errno == ENOTEMPTY || errno == EEXIST) {
    return false;
  }
  fail("cannot remove folder " + name);
}

std::vector<std::string> entry_names(int folder) {
  int fd = ::openat(folder, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    fail("cannot open a folder");
  }
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    int error = errno;
    ::close(fd);
    errno = error;
    fail("cannot read a folder");
  }
  std::vector<std::string> names;
  for (;;) {
    errno = 0;
    const dirent* entry = ::readdir(dir);
    if (entry == nullptr) {
      break;
    }
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") {
      names.emplace_back(name);
    }
  }
  int error = errno;
  ::closedir(dir);
  if (error != 0) {
    errno = error;
    fail("cannot read a folder");
  }
  return names;
}

unique_fd try_lock_file(int folder, const std::string& name) {
  unique_fd fd{::openat(folder, name.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644)};
  if (!fd) {
    fail("cannot open " + name);
  }
  while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return {};
    }
    if (errno != EINTR) {
      fail("cannot lock " + name);
    }
  }
  return fd;
}

}  // namespace artifacts::fs
