// Reading a put's payload and writing a get's bytes, binary-safe.
#pragma once

#include <string>

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

}  // namespace artifacts::cli
