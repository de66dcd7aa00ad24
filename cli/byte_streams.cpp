#include "cli/byte_streams.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>

#include <sys/stat.h>

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

caf::error write_all(const std::string& op, std::FILE* file, std::string_view bytes,
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

void byte_input::file_closer::operator()(std::FILE* file) const {
  std::fclose(file);
}

byte_input::byte_input(std::string op, std::string name, std::FILE* in, bool owned,
                       std::optional<uint64_t> size)
    : op_(std::move(op)),
      name_(std::move(name)),
      in_(in),
      owned_(owned ? in : nullptr),
      size_(size) {}

caf::expected<byte_input> byte_input::open(const std::string& op, const std::string& path) {
  const bool standard = is_standard_stream(path);
  std::FILE* file = standard ? stdin : std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return io_error(op, "read", path, errno);
  }
  std::optional<uint64_t> size;
  struct stat status {};
  if (::fstat(::fileno(file), &status) == 0 && S_ISREG(status.st_mode)) {
    size = static_cast<uint64_t>(status.st_size);
  }
  return byte_input{op, standard ? "standard input" : path, file, !standard, size};
}

caf::expected<size_t> byte_input::read(char* buffer, size_t capacity) {
  size_t filled = 0;
  while (filled < capacity) {
    const auto count = std::fread(buffer + filled, 1, capacity - filled, in_);
    filled += count;
    if (count == 0) {
      if (std::ferror(in_)) {
        return io_error(op_, "read", name_, errno);
      }
      break;
    }
  }
  return filled;
}

caf::error write_output(const std::string& op, const std::string& bytes, const std::string& path) {
  auto sink = byte_sink::open(op, path);
  if (!sink) {
    return std::move(sink.error());
  }
  if (auto err = sink->write(bytes)) {
    return err;
  }
  return sink->close();
}

void byte_sink::file_closer::operator()(std::FILE* file) const {
  std::fclose(file);
}

byte_sink::byte_sink(std::string op, std::string name, std::FILE* out, bool owned)
    : op_(std::move(op)), name_(std::move(name)), out_(out), owned_(owned ? out : nullptr) {}

caf::expected<byte_sink> byte_sink::open(const std::string& op, const std::string& path) {
  if (is_standard_stream(path)) {
    return byte_sink{op, "standard output", stdout, false};
  }
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) {
    return io_error(op, "write", path, errno);
  }
  return byte_sink{op, path, file, true};
}

caf::error byte_sink::write(std::string_view bytes) {
  return write_all(op_, out_, bytes, name_);
}

void byte_sink::discard() noexcept {
  if (owned_) {
    owned_.reset();
    std::remove(name_.c_str());
  }
}

caf::error byte_sink::close() {
  if (owned_ && std::fclose(owned_.release()) != 0) {
    return io_error(op_, "write", name_, errno);
  }
  return {};
}

}  // namespace artifacts::cli
