#include "scenarios/process_counts.hpp"

#include <filesystem>
#include <system_error>
#include <thread>

#include "scenarios/load_scale.hpp"

namespace artifacts::scenarios {

namespace {

size_t entries_of(const char* folder) {
  size_t count = 0;
  std::error_code ec;
  for (std::filesystem::directory_iterator it{folder, ec}, end; !ec && it != end;
       it.increment(ec)) {
    ++count;
  }
  return count;
}

}  // namespace

size_t live_threads() {
  // ThreadSanitizer's runtime starts a thread of its own when the process
  // starts its first thread, and keeps it to the end. Started here first, it
  // is in every count, so a count taken before the process had any thread
  // compares with one taken later.
  if constexpr (thread_sanitizer_build) {
    static const bool runtime_thread_started = [] {
      std::thread([] {}).join();
      return true;
    }();
    (void)runtime_thread_started;
  }
  return entries_of("/proc/self/task");
}

size_t open_descriptors() {
  // The listing itself holds one descriptor open while it runs.
  return excess(entries_of("/proc/self/fd"), 1);
}

size_t excess(size_t now, size_t before) {
  return now > before ? now - before : 0;
}

footprint current_footprint() {
  return {live_threads(), open_descriptors()};
}

footprint footprint_back_to(const footprint& before, std::chrono::milliseconds bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  for (;;) {
    auto now = current_footprint();
    bool back = now.threads <= before.threads && now.descriptors <= before.descriptors;
    if (back || std::chrono::steady_clock::now() >= deadline) {
      return now;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string to_string(const footprint& counts) {
  return "threads " + std::to_string(counts.threads) + ", descriptors " +
         std::to_string(counts.descriptors);
}

}  // namespace artifacts::scenarios
