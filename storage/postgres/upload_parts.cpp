#include "storage/postgres/upload_parts.hpp"

#include <array>

#include <libpq-fe.h>
#include <pqxx/except>

#include "storage/postgres/libpq_access.hpp"
#include "storage/postgres/statements.hpp"

namespace artifacts::postgres {

namespace {

PGconn* open_handle(pqxx::connection& conn) {
  PGconn* pg = handle_of(conn);
  if (pg == nullptr || PQstatus(pg) != CONNECTION_OK) {
    throw pqxx::broken_connection("the connection to PostgreSQL is closed");
  }
  return pg;
}

}  // namespace

std::optional<uint64_t> append_part(pqxx::connection& conn, std::string_view id, uint64_t offset,
                                    std::string_view bytes, micros expires_at, micros now) {
  PGconn* pg = open_handle(conn);
  const std::string upload_id{id};
  const auto at = std::to_string(offset);
  const auto until = std::to_string(expires_at);
  const auto current = std::to_string(now);
  const std::array<const char*, 5> values{upload_id.c_str(), at.c_str(), bytes.data(),
                                          until.c_str(), current.c_str()};
  const std::array<int, 5> lengths{0, 0, static_cast<int>(bytes.size()), 0, 0};
  const std::array<int, 5> formats{0, 0, 1, 0, 0};
  result_ptr rows{PQexecParams(pg, sql::append_part, static_cast<int>(values.size()), nullptr,
                               values.data(), lengths.data(), formats.data(), 0)};
  check(pg, rows, sql::append_part);
  if (PQntuples(rows.get()) == 0) {
    return std::nullopt;
  }
  return std::stoull(PQgetvalue(rows.get(), 0, 0));
}

std::optional<std::string> part_at(pqxx::connection& conn, std::string_view id, uint64_t offset) {
  PGconn* pg = open_handle(conn);
  const std::string upload_id{id};
  const auto at = std::to_string(offset);
  const std::array<const char*, 2> values{upload_id.c_str(), at.c_str()};
  result_ptr rows{PQexecParams(pg, sql::select_part, static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 1)};
  check(pg, rows, sql::select_part);
  if (PQntuples(rows.get()) == 0) {
    return std::nullopt;
  }
  return std::string(PQgetvalue(rows.get(), 0, 0),
                     static_cast<size_t>(PQgetlength(rows.get(), 0, 0)));
}

}  // namespace artifacts::postgres
