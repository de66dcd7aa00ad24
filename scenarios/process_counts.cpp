#include "scenarios/process_counts.hpp"

#include <filesystem>
#include <system_error>

namespace artifacts::scenarios {

size_t live_threads() {
  size_t count = 0;
  std::error_code ec;
  for (std::filesystem::directory_iterator it{"/proc/self/task", ec}, end; !ec && it != end;
       it.increment(ec)) {
    ++count;
  }
  return count;
}

size_t excess(size_t now, size_t before) {
  return now > before ? now - before : 0;
}

}  // namespace artifacts::scenarios
