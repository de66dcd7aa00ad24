#include "storage/postgres/conninfo.hpp"

#include <libpq-fe.h>

#include <chrono>
#include <map>

#include "storage/errc.hpp"
#include "storage/postgres/pg_errors.hpp"

namespace artifacts::postgres {

namespace {

// Frees what PQconninfoParse allocates, whichever way we leave.
struct parsed_options {
  PQconninfoOption* options = nullptr;
  char* error = nullptr;
  ~parsed_options() {
    if (options != nullptr) {
      PQconninfoFree(options);
    }
    if (error != nullptr) {
      PQfreemem(error);
    }
  }
};

// A keyword string value in single quotes, with \ and ' escaped, as libpq
// reads it.
std::string quoted(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\\' || c == '\'') {
      out += '\\';
    }
    out += c;
  }
  out += '\'';
  return out;
}

std::string whole_seconds_at_least_one(std::chrono::milliseconds timeout) {
  auto seconds = (timeout.count() + 999) / 1000;
  return std::to_string(seconds < 1 ? 1 : seconds);
}

}  // namespace

conninfo make_conninfo(std::string_view dsn, const storage_options& options) {
  parsed_options parsed;
  parsed.options = PQconninfoParse(std::string(dsn).c_str(), &parsed.error);
  if (parsed.options == nullptr) {
    // libpq's parse message quotes pieces of the DSN, which may be the
    // password; only the fact is reported.
    throw store_error(errc::invalid_argument,
                      parsed.error == nullptr
                          ? "open: out of memory while parsing the PostgreSQL DSN"
                          : "open: the PostgreSQL DSN is malformed (libpq cannot parse it; "
                            "it is not shown because it may hold a password)");
  }

  std::map<std::string, std::string> settings;
  for (auto* option = parsed.options; option->keyword != nullptr; ++option) {
    if (option->val != nullptr) {
      settings[option->keyword] = option->val;
    }
  }
  const std::map<std::string, std::string> defaults = {
      {"application_name", "artifact-store"},
      {"connect_timeout", whole_seconds_at_least_one(options.connect_timeout)},
      {"keepalives", "1"},
      {"keepalives_idle", "10"},
      {"keepalives_interval", "5"},
      {"keepalives_count", "3"},
  };
  for (const auto& [keyword, value] : defaults) {
    settings.try_emplace(keyword, value);
  }

  conninfo out;
  for (const auto& [keyword, value] : settings) {
    if (!out.keywords.empty()) {
      out.keywords += ' ';
    }
    out.keywords += keyword + '=' + quoted(value);
  }
  if (auto pos = settings.find("password"); pos != settings.end()) {
    out.password = pos->second;
  }
  return out;
}

std::unique_ptr<pqxx::connection> connect(std::string_view op, const conninfo& info,
                                          const storage_options& options) {
  try {
    auto conn = std::make_unique<pqxx::connection>(info.keywords);
    conn->set_variable("statement_timeout", std::to_string(options.statement_timeout.count()));
    return conn;
  } catch (...) {
    rethrow_as_connect_error(op, info.password);
  }
}

}  // namespace artifacts::postgres
