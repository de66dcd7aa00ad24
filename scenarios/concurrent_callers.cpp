#include "scenarios/concurrent_callers.hpp"

#include <utility>

namespace artifacts::scenarios {

namespace {

// Enough to see what failed without flooding the report.
constexpr size_t kept_failures = 10;

}  // namespace

void failure_log::add(std::string what) {
  std::lock_guard<std::mutex> guard{mutex_};
  ++count_;
  if (kept_.size() < kept_failures) {
    kept_.push_back(std::move(what));
  }
}

size_t failure_log::count() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return count_;
}

std::string failure_log::summary() const {
  std::lock_guard<std::mutex> guard{mutex_};
  std::string out;
  for (const auto& line : kept_) {
    out += line + "\n";
  }
  return out.empty() ? "none" : out;
}

}  // namespace artifacts::scenarios
