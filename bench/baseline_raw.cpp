// The raw baseline: plain libpq, prepared statements, binary bytea both ways.
#include <array>
#include <memory>
#include <stdexcept>
#include <string>

#include <libpq-fe.h>

#include "bench/baseline_parts.hpp"
#include "bench/baseline_sql.hpp"
#include "storage/postgres/conninfo.hpp"

namespace artifacts::bench {

namespace {

constexpr const char* put_statement = "bench_raw_put";
constexpr const char* get_statement = "bench_raw_get";

struct result_deleter {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using result_ptr = std::unique_ptr<PGresult, result_deleter>;

struct connection_deleter {
  void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
using connection_ptr = std::unique_ptr<PGconn, connection_deleter>;

result_ptr checked(PGconn* conn, PGresult* raw, const char* op) {
  result_ptr result{raw};
  const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw std::runtime_error(std::string(op) + ": " +
                             (result ? PQresultErrorMessage(result.get()) : PQerrorMessage(conn)));
  }
  return result;
}

class raw_caller final : public caller {
 public:
  raw_caller(connection_ptr conn, const run_scope& where) : conn_(std::move(conn)), where_(where) {
    checked(conn_.get(), PQprepare(conn_.get(), put_statement, sql::insert_row, 12, nullptr),
            "prepare");
    checked(conn_.get(), PQprepare(conn_.get(), get_statement, sql::select_bytes, 6, nullptr),
            "prepare");
  }

  std::string put(std::string bytes) override {
    const auto row = describe_put(where_, bytes);
    const auto& s = where_.scope;
    const std::string size = std::to_string(bytes.size());
    const std::array<const char*, 12> values{
        s.tenant().c_str(),        s.user().c_str(),   s.session().c_str(),    s.task().c_str(),
        where_.name_space.c_str(), row.id.c_str(),     row.mime_type.c_str(),  size.c_str(),
        row.filename.c_str(),      row.sha256.c_str(), row.source_json.data(), bytes.data()};
    std::array<int, 12> lengths{};
    lengths[10] = static_cast<int>(row.source_json.size());
    lengths[11] = static_cast<int>(bytes.size());
    std::array<int, 12> formats{};
    formats[10] = 1;
    formats[11] = 1;
    checked(conn_.get(),
            PQexecPrepared(conn_.get(), put_statement, 12, values.data(), lengths.data(),
                           formats.data(), 0),
            "put");
    return row.id;
  }

  size_t get(const std::string& id) override {
    const auto& s = where_.scope;
    const std::array<const char*, 6> values{s.tenant().c_str(),        s.user().c_str(),
                                            s.session().c_str(),       s.task().c_str(),
                                            where_.name_space.c_str(), id.c_str()};
    auto rows = checked(
        conn_.get(),
        PQexecPrepared(conn_.get(), get_statement, 6, values.data(), nullptr, nullptr, 1), "get");
    if (PQntuples(rows.get()) == 0) {
      throw std::runtime_error("get: artifact " + id + " not found");
    }
    // A user keeps the bytes beyond the result's lifetime: one copy out.
    std::string bytes(PQgetvalue(rows.get(), 0, 0),
                      static_cast<size_t>(PQgetlength(rows.get(), 0, 0)));
    return bytes.size();
  }

 private:
  connection_ptr conn_;
  const run_scope& where_;
};

}  // namespace

std::unique_ptr<caller> open_raw_caller(const std::string& dsn, const run_scope& where) {
  const auto options = baseline_storage_options(dsn);
  const auto info = postgres::make_conninfo(dsn, options);
  connection_ptr conn{PQconnectdb(info.keywords.c_str())};
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    throw std::runtime_error(std::string("bench: cannot connect to PostgreSQL: ") +
                             (conn ? PQerrorMessage(conn.get()) : "out of memory"));
  }
  const std::string timeout =
      "SET statement_timeout = " + std::to_string(options.statement_timeout.count());
  checked(conn.get(), PQexec(conn.get(), timeout.c_str()), "connect");
  return std::make_unique<raw_caller>(std::move(conn), where);
}

}  // namespace artifacts::bench
