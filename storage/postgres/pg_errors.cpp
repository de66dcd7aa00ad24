#include "storage/postgres/pg_errors.hpp"

#include <cctype>
#include <exception>
#include <optional>

#include <pqxx/except>

#include <artifact_store/errc.hpp>

namespace artifacts::postgres {

namespace {

// libpq's messages span lines and end in a newline; a store message is one line.
std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) {
      out += ' ';
      pending_space = false;
    }
    out += c;
  }
  return out;
}

std::string masked(std::string text, std::string_view secret) {
  if (secret.empty()) {
    return text;
  }
  constexpr std::string_view mask = "********";
  for (auto pos = text.find(secret); pos != std::string::npos;
       pos = text.find(secret, pos + mask.size())) {
    text.replace(pos, secret.size(), mask);
  }
  return text;
}

[[noreturn]] void fail(errc code, std::string_view op, std::string_view cause,
                       std::string_view detail, retry_advice advice = retry_advice::none) {
  std::string message{op};
  message += ": ";
  message += cause;
  auto line = one_line(detail);
  if (!line.empty()) {
    message += ": ";
    message += line;
  }
  throw store_error(code, message, advice);
}

// The plain-words cause of a failure a retry may cure, or nullopt.
std::optional<std::string_view> transient_cause(const std::string& sqlstate) {
  auto in_class = [&](std::string_view cls) { return sqlstate.compare(0, 2, cls) == 0; };
  if (in_class("08")) {
    return "connection to PostgreSQL lost";
  }
  if (in_class("53")) {
    return "PostgreSQL is out of resources";
  }
  if (sqlstate == "57014") {
    return "statement timed out";
  }
  if (sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03") {
    return "PostgreSQL is shutting down, restarting or starting up";
  }
  if (sqlstate == "40001") {
    return "transaction conflicted with a concurrent one; retrying is safe";
  }
  if (sqlstate == "40P01") {
    return "deadlock detected; retrying is safe";
  }
  if (sqlstate == "25006") {
    return "this PostgreSQL server accepts no writes (a standby)";
  }
  return std::nullopt;
}

// Whether this session cannot serve the request but a new connection is
// likely to: the server ended the session (a new backend, or the server
// after a restart, serves the next one), or the session is on a server that
// accepts no writes (a standby; a connection made now finds the primary
// when the DSN names several hosts).
bool needs_new_connection(const std::string& sqlstate) {
  return sqlstate.compare(0, 2, "08") == 0 || sqlstate == "57P01" || sqlstate == "57P02" ||
         sqlstate == "25006";
}

}  // namespace

void rethrow_as_store_error(std::string_view op) {
  constexpr auto lost = retry_advice::on_new_connection;
  constexpr auto none = retry_advice::none;
  try {
    throw;
  } catch (const store_error&) {
    throw;
  } catch (const pqxx::in_doubt_error& e) {
    fail(errc::unavailable, op, "commit in doubt; retrying is safe", e.what(), lost);
  } catch (const pqxx::broken_connection& e) {
    fail(errc::unavailable, op, "connection to PostgreSQL lost", e.what(), lost);
  } catch (const pqxx::serialization_failure& e) {
    fail(errc::unavailable, op, "transaction conflicted with a concurrent one; retrying is safe",
         e.what());
  } catch (const pqxx::deadlock_detected& e) {
    fail(errc::unavailable, op, "deadlock detected; retrying is safe", e.what());
  } catch (const pqxx::statement_completion_unknown& e) {
    fail(errc::unavailable, op, "statement outcome unknown; retrying is safe", e.what(), lost);
  } catch (const pqxx::sql_error& e) {
    if (auto cause = transient_cause(e.sqlstate())) {
      fail(errc::unavailable, op, *cause, e.what(),
           needs_new_connection(e.sqlstate()) ? lost : none);
    }
    auto state = e.sqlstate().empty() ? std::string("without SQLSTATE") : e.sqlstate();
    fail(errc::internal, op, "PostgreSQL error " + state, e.what());
  } catch (const std::exception& e) {
    fail(errc::internal, op, "unexpected failure in the PostgreSQL driver", e.what());
  } catch (...) {
    fail(errc::internal, op, "unknown failure in the PostgreSQL driver", "");
  }
}

void rethrow_as_connect_error(std::string_view op, std::string_view password) {
  try {
    throw;
  } catch (const pqxx::broken_connection& e) {
    fail(errc::unavailable, op, "cannot connect to PostgreSQL", masked(e.what(), password));
  } catch (...) {
    try {
      rethrow_as_store_error(op);
    } catch (const store_error& e) {
      throw store_error(e.code(), masked(e.what(), password));
    }
  }
}

}  // namespace artifacts::postgres
