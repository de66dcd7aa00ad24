#include "storage/dsn.hpp"

#include <artifact_store/errc.hpp>

namespace artifacts {

namespace {

bool starts_with(std::string_view text, std::string_view prefix) noexcept {
  return text.substr(0, prefix.size()) == prefix;
}

[[noreturn]] void fail(errc code, const std::string& what) {
  throw store_error(code, "open: " + what);
}

}  // namespace

dsn_target parse_dsn(std::string_view dsn) {
  if (dsn.empty()) {
    fail(errc::invalid_argument, "the DSN is empty");
  }
  if (dsn.find('\0') != std::string_view::npos) {
    fail(errc::invalid_argument, "the DSN contains a NUL byte");
  }
  if (starts_with(dsn, "postgres://") || starts_with(dsn, "postgresql://")) {
    return {driver_kind::postgres, std::string(dsn)};
  }
  auto colon = dsn.find(':');
  auto equals = dsn.find('=');
  // A libpq keyword string has "key=value" pairs and no scheme before them.
  if (equals != std::string_view::npos && (colon == std::string_view::npos || equals < colon)) {
    return {driver_kind::postgres, std::string(dsn)};
  }
  if (colon == std::string_view::npos) {
    fail(errc::unknown_driver,
         "no driver for DSN without a scheme (expected postgres://, "
         "postgresql://, sqlite:PATH, memory: or fs:DIR)");
  }
  auto scheme = dsn.substr(0, colon);
  auto rest = std::string(dsn.substr(colon + 1));
  if (scheme == "memory") {
    return {driver_kind::memory, rest};
  }
  if (scheme == "sqlite" || scheme == "fs") {
    if (rest.empty()) {
      fail(errc::invalid_argument, "the " + std::string(scheme) + " DSN names no path");
    }
    return {scheme == "sqlite" ? driver_kind::sqlite : driver_kind::fs, rest};
  }
  fail(errc::unknown_driver, "no driver for scheme \"" + std::string(scheme) + "\"");
}

std::string_view driver_kind_name(driver_kind kind) noexcept {
  switch (kind) {
    case driver_kind::postgres:
      return "postgres";
    case driver_kind::sqlite:
      return "sqlite";
    case driver_kind::memory:
      return "memory";
    case driver_kind::fs:
      return "fs";
  }
  return "unknown";
}

}  // namespace artifacts
