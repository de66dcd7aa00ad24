// Reading a put's payload and writing a get's bytes, binary-safe.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

namespace artifacts::cli {

// Reads all of `path`, or all of standard input when `path` is "-" or empty.
// Fails with invalid_argument, naming `op`, the path and the system's reason,
// when it cannot be opened or read (a missing file, a directory, no
// permission).
caf::expected<std::string> read_input(const std::string& op, const std::string& path);

// Writes `bytes` unchanged to `path` (created or truncated), or to standard
// output when `path` is "-" or empty. Fails with invalid_argument, naming
// `op`, the path and the system's reason, when it cannot be written.
caf::error write_output(const std::string& op, const std::string& bytes, const std::string& path);

// Where a put's bytes come from piece by piece, as read_input reads them
// whole: `path`, or standard input when `path` is "-" or empty.
class byte_input {
 public:
  // Fails as read_input does when `path` cannot be opened.
  static caf::expected<byte_input> open(const std::string& op, const std::string& path);

  // Fills `buffer` with up to `capacity` bytes: how many, fewer only at the
  // end (0 there). Fails as read_input does when the input cannot be read.
  caf::expected<size_t> read(char* buffer, size_t capacity);

  // The size of a regular file; nullopt for standard input, a pipe or a
  // device.
  std::optional<uint64_t> size() const noexcept { return size_; }

 private:
  struct file_closer {
    void operator()(std::FILE* file) const;
  };

  byte_input(std::string op, std::string name, std::FILE* in, bool owned,
             std::optional<uint64_t> size);

  std::string op_;
  std::string name_;  // the path, or "standard input"
  std::FILE* in_;
  std::unique_ptr<std::FILE, file_closer> owned_;
  std::optional<uint64_t> size_;
};

// Where a get's bytes go piece by piece, as write_output writes them whole:
// `path` (created or truncated when opened), or standard output when `path`
// is "-" or empty. Errors as write_output's.
class byte_sink {
 public:
  static caf::expected<byte_sink> open(const std::string& op, const std::string& path);

  // Appends `bytes` and flushes them.
  caf::error write(std::string_view bytes);

  // Closes a file (standard output stays open); the last chance to learn
  // that its bytes could not be written.
  caf::error close();

  // Closes and removes a file whose bytes must not be used (a read that
  // failed part way). Bytes already on standard output stay there.
  void discard() noexcept;

 private:
  struct file_closer {
    void operator()(std::FILE* file) const;
  };

  byte_sink(std::string op, std::string name, std::FILE* out, bool owned);

  std::string op_;
  std::string name_;  // the path, or "standard output"
  std::FILE* out_;
  std::unique_ptr<std::FILE, file_closer> owned_;
};

}  // namespace artifacts::cli
