#include "cli/byte_streams.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <artifact_store/error.hpp>

namespace artifacts::cli {

namespace {

struct file_closer {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using file_ptr = std::unique_ptr<std::FILE, file_closer>;

bool is_standard_stream(const std::string& path) {
  return path.empty() || path == "-";
}

caf::error io_error(const std::string& op, const char* verb, const std::string& path,
                    int error_number) {
  return make_error(errc::invalid_argument,
                    op + ": cannot " + verb + " " + path + ": " + std::strerror(error_number));
}

caf::expected<std::string> read_all(const std::string& op, std::FILE* file,
                                    const std::string& name) {
  std::string bytes;
  char chunk[1 << 16];
  for (;;) {
    auto count = std::fread(chunk, 1, sizeof chunk, file);
    bytes.append(chunk, count);
    if (count < sizeof chunk) {
      break;
    }
  }
  if (std::ferror(file)) {
    return io_error(op, "read", name, errno);
  }
  return bytes;
}

caf::error write_all(const std::string& op, std::FILE* file, const std::string& bytes,
                     const std::string& name) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), file) != bytes.size() || std::fflush(file) != 0) {
    return io_error(op, "write", name, errno);
  }
  return {};
}

}  // namespace

caf::expected<std::string> read_input(const std::string& op, const std::string& path) {
  if (is_standard_stream(path)) {
    return read_all(op, stdin, "standard input");
  }
  file_ptr file{std::fopen(path.c_str(), "rb")};
  if (!file) {
    return io_error(op, "read", path, errno);
  }
  return read_all(op, file.get(), path);
}

caf::error write_output(const std::string& op, const std::string& bytes, const std::string& path) {
  if (is_standard_stream(path)) {
    return write_all(op, stdout, bytes, "standard output");
  }
  file_ptr file{std::fopen(path.c_str(), "wb")};
  if (!file) {
    return io_error(op, "write", path, errno);
  }
  if (auto err = write_all(op, file.get(), bytes, path)) {
    return err;
  }
  if (std::fclose(file.release()) != 0) {
    return io_error(op, "write", path, errno);
  }
  return {};
}

}  // namespace artifacts::cli
