#include "storage/postgres/binary_read.hpp"

#include <algorithm>
#include <array>
#include <memory>

#include <libpq-fe.h>
#include <pqxx/except>

#include "storage/postgres/libpq_access.hpp"
#include "storage/postgres/statements.hpp"

namespace artifacts::postgres {

namespace {

constexpr const char* statement_name = "artifacts_select_bytes_binary";
constexpr const char* range_statement_name = "artifacts_select_range_binary";

// The largest bytea PostgreSQL stores is just under 1 GiB: an offset or a
// length beyond it means the same as 1 GiB and fits the statement's int4.
constexpr uint64_t bytea_bound = uint64_t{1} << 30;

// An int8 in PostgreSQL's binary format (big-endian).
uint64_t int8_of(const char* value) {
  uint64_t out = 0;
  for (int i = 0; i < 8; ++i) {
    out = (out << 8) | static_cast<unsigned char>(value[i]);
  }
  return out;
}

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
    result_ptr prepared_range{
        PQprepare(pg, range_statement_name, sql::select_range, parameter_count + 2, nullptr)};
    check(pg, prepared_range, sql::select_range);
    prepared_on_ = pg;
  }
}

result_ptr binary_reader::exec_binary(PGconn* pg, const char* statement, const char* text,
                                      int count, const char* const* values) {
  result_ptr rows;
  // Twice at most: a handle at the address of one we prepared on may still
  // be a new session (libpqxx reconnected), which lacks the statement.
  for (int attempt = 0; attempt < 2; ++attempt) {
    prepare_on(pg);
    rows.reset(PQexecPrepared(pg, statement, count, values, nullptr, nullptr, 1));
    if (!is_missing_statement(rows)) {
      break;
    }
    prepared_on_ = nullptr;
  }
  check(pg, rows, text);
  return rows;
}

std::optional<stored_range> binary_reader::range_at(pqxx::connection& conn, const artifact_key& key,
                                                    micros now, uint64_t offset, uint64_t length) {
  PGconn* pg = handle_of(conn);
  if (pg == nullptr || PQstatus(pg) != CONNECTION_OK) {
    throw pqxx::broken_connection("the connection to PostgreSQL is closed");
  }
  const key_parameters parameters{key, now};
  const auto first = std::to_string(std::min(offset, bytea_bound) + 1);
  const auto count = std::to_string(std::min(length, bytea_bound));
  std::array<const char*, parameter_count + 2> values{};
  std::copy(parameters.values.begin(), parameters.values.end(), values.begin());
  values[parameter_count] = first.c_str();
  values[parameter_count + 1] = count.c_str();
  auto rows =
      exec_binary(pg, range_statement_name, sql::select_range, parameter_count + 2, values.data());
  if (PQntuples(rows.get()) == 0) {
    return std::nullopt;
  }
  stored_range range;
  range.bytes.assign(PQgetvalue(rows.get(), 0, 0),
                     static_cast<size_t>(PQgetlength(rows.get(), 0, 0)));
  range.size_bytes = int8_of(PQgetvalue(rows.get(), 0, 1));
  range.sha256.assign(PQgetvalue(rows.get(), 0, 2),
                      static_cast<size_t>(PQgetlength(rows.get(), 0, 2)));
  return range;
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
  auto rows =
      exec_binary(pg, statement_name, sql::select_bytes, parameter_count, parameters.values.data());
  return bytes_of(rows);
}

}  // namespace artifacts::postgres
