#include "storage/fs/fs_sweep.hpp"

#include <set>
#include <string>
#include <string_view>

#include "storage/fs/fs_io.hpp"
#include "storage/fs/fs_layout.hpp"

namespace artifacts::fs {

namespace {

bool starts_with(std::string_view text, std::string_view prefix) noexcept {
  return text.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view text, std::string_view suffix) noexcept {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// The name of the other file of an artifact's pair, or empty when `name` is
// neither of an artifact's files.
std::string partner_of(std::string_view name) {
  if (name.empty() || name.front() != final_marker) {
    return {};
  }
  if (ends_with(name, bytes_suffix)) {
    return std::string(name.substr(0, name.size() - bytes_suffix.size())) + std::string(ref_suffix);
  }
  if (ends_with(name, ref_suffix)) {
    return std::string(name.substr(0, name.size() - ref_suffix.size())) + std::string(bytes_suffix);
  }
  return {};
}

// Returns true when `folder` is empty afterwards.
bool sweep_folder(int folder) {
  auto names = entry_names(folder);
  const std::set<std::string> present(names.begin(), names.end());
  bool changed = false;
  size_t kept = 0;
  for (const auto& name : names) {
    // Folders first: a value like "report.json" names a folder "_report.json".
    if (auto sub = open_folder(folder, name, false)) {
      if (sweep_folder(sub.get()) && remove_empty_folder(folder, name)) {
        changed = true;
      } else {
        ++kept;
      }
      continue;
    }
    if (starts_with(name, temp_prefix)) {
      changed |= remove_file(folder, name);
      continue;
    }
    auto partner = partner_of(name);
    if (!partner.empty() && present.count(partner) == 0) {
      changed |= remove_file(folder, name);
      continue;
    }
    ++kept;
  }
  if (changed) {
    sync(folder);
  }
  return kept == 0;
}

}  // namespace

void sweep(int folder) {
  sweep_folder(folder);
}

}  // namespace artifacts::fs
