#include "storage/postgres/binary_read.hpp"

#include <array>
#include <memory>

#include <libpq-fe.h>
#include <pqxx/except>

#include "storage/postgres/libpq_access.hpp"
#include "storage/postgres/statements.hpp"

namespace artifacts::postgres {

namespace {

constexpr const char* statement_name = "artifacts_select_bytes_binary";

constexpr int parameter_count = 7;

// The parameters of a key and the instant it is read at, kept alive for
// libpq.
struct key_parameters {
  key_parameters(const artifact_key& key, micros now)
      : ns(key.ns), id(key.id), at(std::to_string(now)) {
    values = {key.scope.tenant().c_str(),
              key.scope.user().c_str(),
              key.scope.session().c_str(),
              key.scope.task().c_str(),
              ns.c_str(),
              id.c_str(),
              at.c_str()};
  }
  key_parameters(const key_parameters&) = delete;
  key_parameters& operator=(const key_parameters&) = delete;

  std::string ns;
  std::string id;
  std::string at;
  std::array<const char*, parameter_count> values{};
};

std::optional<std::string> bytes_of(const result_ptr& rows) {
  if (PQntuples(rows.get()) == 0) {
    return std::nullopt;
  }
  return std::string(PQgetvalue(rows.get(), 0, 0),
                     static_cast<size_t>(PQgetlength(rows.get(), 0, 0)));
}

}  // namespace

void binary_reader::prepare_on(PGconn* pg) {
  if (prepared_on_ != pg) {
    result_ptr prepared{PQprepare(pg, statement_name, sql::select_bytes, parameter_count, nullptr)};
    check(pg, prepared, sql::select_bytes);
    prepared_on_ = pg;
  }
}

std::vector<std::optional<std::string>> binary_reader::bytes_at_each(
    pqxx::connection& conn, const std::vector<artifact_key>& keys, micros now) {
  PGconn* pg = handle_of(conn);
  if (pg == nullptr || PQstatus(pg) != CONNECTION_OK) {
    throw pqxx::broken_connection("the connection to PostgreSQL is closed");
  }
  std::vector<std::unique_ptr<key_parameters>> parameters;
  parameters.reserve(keys.size());
  for (const auto& key : keys) {
    parameters.push_back(std::make_unique<key_parameters>(key, now));
  }
  prepare_on(pg);
  std::vector<std::optional<std::string>> found;
  found.reserve(keys.size());
  run_pipeline(
      pg, keys.size(), sql::select_bytes,
      [&](size_t i) {
        return PQsendQueryPrepared(pg, statement_name, parameter_count,
                                   parameters[i]->values.data(), nullptr, nullptr, 1);
      },
      [&](size_t, result_ptr rows) {
        // A statement lost with the session libpqxx replaced makes the first
        // query fail; the caller's repeat prepares it afresh.
        if (is_missing_statement(rows)) {
          prepared_on_ = nullptr;
        }
        check(pg, rows, sql::select_bytes);
        found.push_back(bytes_of(rows));
      });
  return found;
}

std::optional<std::string> binary_reader::bytes_at(pqxx::connection& conn, const artifact_key& key,
                                                   micros now) {
  PGconn* pg = handle_of(conn);
  if (pg == nullptr || PQstatus(pg) != CONNECTION_OK) {
    throw pqxx::broken_connection("the connection to PostgreSQL is closed");
  }
  const key_parameters parameters{key, now};
  result_ptr rows;
  // Twice at most: a handle at the address of one we prepared on may still
  // be a new session (libpqxx reconnected), which lacks the statement.
  for (int attempt = 0; attempt < 2; ++attempt) {
    prepare_on(pg);
    rows.reset(PQexecPrepared(pg, statement_name, parameter_count, parameters.values.data(),
                              nullptr, nullptr, 1));
    if (!is_missing_statement(rows)) {
      break;
    }
    prepared_on_ = nullptr;
  }
  check(pg, rows, sql::select_bytes);
  return bytes_of(rows);
}

}  // namespace artifacts::postgres
