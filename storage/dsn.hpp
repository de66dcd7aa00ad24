// Parsing a DSN into a driver choice.
#pragma once

#include <string>
#include <string_view>

namespace artifacts {

enum class driver_kind { postgres, sqlite, memory, fs };

// The driver's name: "postgres", "sqlite", "memory" or "fs" (what drivers
// report as driver::name, and what logs and reports print; never the DSN,
// which may hold a password).
std::string_view driver_kind_name(driver_kind kind) noexcept;

struct dsn_target {
  driver_kind kind;
  // What follows the scheme: the libpq connection string for postgres (the
  // whole DSN), the path for sqlite and fs, empty for memory.
  std::string location;
};

// Picks the driver for `dsn`: "postgres://…", "postgresql://…" or a libpq
// keyword string ("host=… dbname=…") → postgres; "sqlite:PATH" → sqlite;
// "memory:" → memory; "fs:DIR" → fs. Throws store_error: invalid_argument for
// an empty DSN, a NUL byte, or a sqlite/fs DSN without a path; unknown_driver
// for any other scheme.
dsn_target parse_dsn(std::string_view dsn);

// `dsn` fit to print: a PostgreSQL DSN (URI or keyword form) comes back as a
// keyword string of the same settings without the password; any other DSN
// comes back unchanged. A PostgreSQL DSN that libpq cannot parse comes back
// as a placeholder, since the password's place in it is unknown. Throws
// nothing but std::bad_alloc.
std::string dsn_without_password(std::string_view dsn);

}  // namespace artifacts
