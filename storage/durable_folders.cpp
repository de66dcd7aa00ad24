#include "storage/durable_folders.hpp"

#include <cerrno>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace artifacts {

namespace {

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& folder) {
  throw std::filesystem::filesystem_error(what, folder,
                                          std::error_code(errno, std::generic_category()));
}

void sync_folder(const std::filesystem::path& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    fail("cannot open folder", folder);
  }
  int result;
  while ((result = ::fsync(fd)) != 0 && errno == EINTR) {
  }
  const int saved = errno;
  ::close(fd);
  errno = saved;
  if (result != 0) {
    fail("cannot sync folder", folder);
  }
}

}  // namespace

void create_folders_durably(const std::filesystem::path& path) {
  // The missing folders, outermost first.
  std::vector<std::filesystem::path> missing;
  for (auto folder = std::filesystem::absolute(path).lexically_normal();
       !folder.empty() && folder != folder.root_path(); folder = folder.parent_path()) {
    if (folder.filename().empty()) {  // a trailing separator
      continue;
    }
    struct stat info {};
    if (::stat(folder.c_str(), &info) == 0) {
      if (!S_ISDIR(info.st_mode)) {
        errno = ENOTDIR;
        fail("cannot create folder", folder);
      }
      break;
    }
    missing.insert(missing.begin(), folder);
  }
  for (const auto& folder : missing) {
    if (::mkdir(folder.c_str(), 0755) != 0 && errno != EEXIST) {
      fail("cannot create folder", folder);
    }
    // Also after EEXIST: whoever made it concurrently may not have synced
    // its parent yet.
    sync_folder(folder.parent_path());
  }
}

}  // namespace artifacts
