#include "scenarios/driver_test_support.hpp"

#include <system_error>

namespace artifacts::testing {

namespace stdfs = std::filesystem;

size_t open_files_under(const stdfs::path& folder) {
  const auto inside = stdfs::weakly_canonical(folder);
  size_t count = 0;
  std::error_code ec;
  for (stdfs::directory_iterator it{"/proc/self/fd", ec}, end; !ec && it != end; it.increment(ec)) {
    std::error_code unreadable;
    // A descriptor closed since the listing began reads as an error: skip it.
    const auto target = stdfs::read_symlink(it->path(), unreadable);
    if (unreadable) {
      continue;
    }
    const auto relative = target.lexically_relative(inside);
    if (!relative.empty() && *relative.begin() != "..") {
      ++count;
    }
  }
  return count;
}

storage_options options_for(const std::string& dsn) {
  storage_options options;
  options.dsn = dsn;
  return options;
}

std::unique_ptr<operations> open_ops(driver& drv) {
  return std::make_unique<operations>(drv.open_backend(), drv.options());
}

std::vector<v1::ArtifactRef> list_all(operations& ops, const v1::Scope& filter, uint32_t page) {
  std::vector<v1::ArtifactRef> refs;
  auto request = scenarios::list_request(filter, page);
  for (;;) {
    auto result = ops.list(request);
    for (const auto& ref : result.refs()) {
      refs.push_back(ref);
    }
    if (result.next_page_token().empty()) {
      return refs;
    }
    request.set_page_token(result.next_page_token());
  }
}

}  // namespace artifacts::testing
