#include "scenarios/test_files.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <system_error>

namespace artifacts::testing {

namespace stdfs = std::filesystem;

temp_folder::temp_folder(std::string_view label, const stdfs::path& parent) {
  static std::atomic<int> counter{0};
  path_ = (parent.empty() ? stdfs::temp_directory_path() : parent) /
          ("artifacts-" + std::string(label) + "-" + std::to_string(::getpid()) + "-" +
           std::to_string(counter.fetch_add(1)));
  stdfs::remove_all(path_);
  stdfs::create_directories(path_);
}

temp_folder::~temp_folder() {
  std::error_code ignored;
  stdfs::remove_all(path_, ignored);
}

std::string read_file(const stdfs::path& path) {
  std::ifstream in{path, std::ios::binary};
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const stdfs::path& path, const std::string& bytes) {
  std::ofstream out{path, std::ios::binary | std::ios::trunc};
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    throw std::runtime_error("cannot write " + path.string());
  }
}

}  // namespace artifacts::testing
