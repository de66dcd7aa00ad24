// Fuzzes the parsing of a DSN, text that comes from a command line, the
// environment or a configuration file: parse_dsn picks the driver, and for
// PostgreSQL make_conninfo has libpq parse the rest and rebuilds it as the
// keyword string the store connects with.
//
// Both may throw store_error (invalid_argument, unknown_driver) and nothing
// else: any other exception escapes, and libFuzzer reports it. A broken
// invariant aborts.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <artifact_store/errc.hpp>

#include "storage/dsn.hpp"
#include "storage/postgres/conninfo.hpp"
#include "tests/fuzz/invariant.hpp"

namespace {

using namespace artifacts;
using artifacts::fuzz::require;

// What the driver choice promises about the location it hands on.
void check_target(std::string_view dsn, const dsn_target& target) {
  switch (target.kind) {
    case driver_kind::postgres:
      require(target.location == dsn, "a PostgreSQL DSN goes to libpq whole");
      break;
    case driver_kind::memory:
      require(std::string("memory:") + target.location == dsn, "memory: keeps what follows");
      break;
    case driver_kind::sqlite:
      require(!target.location.empty() && std::string("sqlite:") + target.location == dsn,
              "a sqlite DSN names its path");
      break;
    case driver_kind::fs:
      require(!target.location.empty() && std::string("fs:") + target.location == dsn,
              "an fs DSN names its folder");
      break;
  }
}

// The keyword string make_conninfo builds is itself a DSN that libpq reads
// back to the same settings (so every value is quoted as libpq unquotes it),
// and a refusal never repeats the DSN, which may hold a password.
void check_conninfo(std::string_view dsn) {
  const storage_options options;
  postgres::conninfo info;
  try {
    info = postgres::make_conninfo(dsn, options);
  } catch (const store_error& e) {
    require(e.code() == errc::invalid_argument, "a malformed PostgreSQL DSN is invalid_argument");
    require(std::string_view(e.what()).find(dsn) == std::string_view::npos,
            "a refused PostgreSQL DSN is not repeated in the message");
    return;
  }
  postgres::conninfo again;
  try {
    again = postgres::make_conninfo(info.keywords, options);
  } catch (const store_error&) {
    require(false, "libpq reads the keyword string make_conninfo builds");
  }
  require(again.keywords == info.keywords, "the keyword string reads back to the same settings");
  require(again.password == info.password, "the keyword string keeps the password");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view dsn(reinterpret_cast<const char*>(data), size);
  dsn_target target;
  try {
    target = parse_dsn(dsn);
  } catch (const store_error& e) {
    require(e.code() == errc::invalid_argument || e.code() == errc::unknown_driver,
            "a DSN is refused as invalid_argument or unknown_driver");
    return 0;
  }
  check_target(dsn, target);
  if (target.kind == driver_kind::postgres) {
    check_conninfo(target.location);
  }
  return 0;
}
