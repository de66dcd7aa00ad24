// Temporary folders and whole-file reads and writes for tests.
// For tests that keep stores, inputs or outputs on disk.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace artifacts::testing {

// A fresh, empty folder under `parent` (the system's temporary folder when
// empty), named after `label`, the process and a counter, so that parallel
// test processes never share one. Removed with everything in it on
// destruction; a failure to remove is ignored so that destruction never
// throws. Throws std::filesystem::filesystem_error when the folder cannot be
// created.
class temp_folder {
 public:
  explicit temp_folder(std::string_view label, const std::filesystem::path& parent = {});
  ~temp_folder();
  temp_folder(const temp_folder&) = delete;
  temp_folder& operator=(const temp_folder&) = delete;

  // Where the folder is.
  const std::filesystem::path& path() const noexcept { return path_; }

  // The path of `name` inside the folder.
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Every byte of the file at `path`; empty when it cannot be read.
std::string read_file(const std::filesystem::path& path);

// Replaces the file at `path` with `bytes`. Throws std::runtime_error when
// it cannot be written.
void write_file(const std::filesystem::path& path, const std::string& bytes);

}  // namespace artifacts::testing
