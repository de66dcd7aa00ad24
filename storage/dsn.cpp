#include "storage/dsn.hpp"

#include <memory>

#include <libpq-fe.h>

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

std::string dsn_without_password(std::string_view dsn) {
  try {
    if (parse_dsn(dsn).kind != driver_kind::postgres) {
      return std::string(dsn);
    }
  } catch (const store_error&) {
    return std::string(dsn);  // no driver takes it, so it names no server
  }
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options{
      PQconninfoParse(std::string(dsn).c_str(), &error), &PQconninfoFree};
  PQfreemem(error);
  if (!options) {
    return "(a PostgreSQL DSN that libpq cannot parse)";
  }
  std::string out;
  for (const auto* option = options.get(); option->keyword != nullptr; ++option) {
    if (option->val == nullptr || std::string_view{option->keyword} == "password") {
      continue;
    }
    std::string quoted;
    for (const char* c = option->val; *c != '\0'; ++c) {
      if (*c == '\'' || *c == '\\') {
        quoted += '\\';
      }
      quoted += *c;
    }
    out += (out.empty() ? "" : " ") + std::string{option->keyword} + "='" + quoted + "'";
  }
  return out;
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
