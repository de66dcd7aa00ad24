// The store's error codes and the exception that carries them through the
// storage layer.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace artifacts {

// Every failure a caller of the store can observe. The numeric values are part
// of the remoting contract (they travel inside caf::error) and never change.
enum class errc : uint8_t {
  identity_required = 1,  // tenant, user or session empty where required
  invalid_argument = 2,   // NUL, invalid UTF-8, over-long field, digest mismatch
  too_large = 3,          // payload over the configured maximum
  hash_collision = 4,     // the id is taken in the scope by other content
  store_closed = 5,       // any call after (or racing with) close
  unavailable = 6,        // backend unreachable, timed out or overloaded; retryable
  unknown_driver = 7,     // no driver for the DSN
  scope_mismatch = 8,     // a ref from another scope reached a scoped client
  internal = 9,           // anything else; the message says what
  quota_exceeded = 10,    // the put would take its tenant over a quota; not retryable
  upload_not_found = 11,  // no such upload: never begun, aborted, or expired unfinished
  wrong_offset = 12,      // a chunk not at the upload's end; the message names the end
};

// The code's name as written in this header ("identity_required", ...), or
// "unknown" for a value outside the enum.
const char* to_string(errc code) noexcept;

// Whether a failed call may be repeated at once on a fresh connection.
enum class retry_advice : uint8_t {
  // Repeating it now would most likely fail the same way (or the failure is
  // not transient at all).
  none,
  // The connection was lost before the outcome was known: the call may or
  // may not have taken effect, and a new connection is likely to work. Safe
  // to repeat for idempotent calls.
  on_new_connection,
};

// The exception the storage layer throws for every expected failure. Drivers
// map their own exceptions (libpqxx, SQLite codes, I/O errors) to it in one
// place each; nothing else escapes a backend.
class store_error : public std::runtime_error {
 public:
  store_error(errc code, const std::string& message, retry_advice advice = retry_advice::none)
      : std::runtime_error(message), code_(code), advice_(advice) {}

  errc code() const noexcept { return code_; }

  retry_advice advice() const noexcept { return advice_; }

 private:
  errc code_;
  retry_advice advice_;
};

}  // namespace artifacts
