#include "storage/postgres/binary_read.hpp"

#include <array>
#include <memory>

#include <libpq-fe.h>
#include <pqxx/except>

#include "storage/postgres/statements.hpp"

namespace artifacts::postgres {

namespace {

// libpqxx 6.4 keeps the libpq handle behind a private accessor that it grants
// only to its own helper classes. An explicit instantiation may name a
// private member (the standard exempts it from access checks), which is the
// one portable way to reach that accessor without patching libpqxx; the
// handle is read afresh on every call, so a reconnect never leaves us with a
// stale pointer.
using raw_connection_member = pqxx::internal::pq::PGconn* (pqxx::connection_base::*)() const;

raw_connection_member raw_connection_accessor();

template <raw_connection_member Member>
struct raw_connection_access {
  friend raw_connection_member raw_connection_accessor() { return Member; }
};

template struct raw_connection_access<&pqxx::connection_base::raw_connection>;

PGconn* handle_of(const pqxx::connection& conn) {
  return (conn.*raw_connection_accessor())();
}

constexpr const char* statement_name = "artifacts_select_bytes_binary";
constexpr const char* undefined_prepared_statement = "26000";

struct result_deleter {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using result_ptr = std::unique_ptr<PGresult, result_deleter>;

// Throws the libpqxx exception libpqxx itself would raise for this outcome.
void check(PGconn* pg, const result_ptr& result, const char* query) {
  const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    return;
  }
  if (PQstatus(pg) != CONNECTION_OK) {
    throw pqxx::broken_connection(PQerrorMessage(pg));
  }
  const char* sqlstate = result ? PQresultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
  throw pqxx::sql_error(result ? PQresultErrorMessage(result.get()) : PQerrorMessage(pg), query,
                        sqlstate);
}

bool is_missing_statement(const result_ptr& result) {
  if (!result || PQresultStatus(result.get()) != PGRES_FATAL_ERROR) {
    return false;
  }
  const char* sqlstate = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
  return sqlstate != nullptr && std::string_view(sqlstate) == undefined_prepared_statement;
}

// The six parameters of a key, kept alive for libpq.
struct key_parameters {
  explicit key_parameters(const artifact_key& key) : ns(key.ns), id(key.id) {
    values = {key.scope.tenant().c_str(),
              key.scope.user().c_str(),
              key.scope.session().c_str(),
              key.scope.task().c_str(),
              ns.c_str(),
              id.c_str()};
  }
  key_parameters(const key_parameters&) = delete;
  key_parameters& operator=(const key_parameters&) = delete;

  std::string ns;
  std::string id;
  std::array<const char*, 6> values{};
};

std::optional<std::string> bytes_of(const result_ptr& rows) {
  if (PQntuples(rows.get()) == 0) {
    return std::nullopt;
  }
  return std::string(PQgetvalue(rows.get(), 0, 0),
                     static_cast<size_t>(PQgetlength(rows.get(), 0, 0)));
}

// Reads and discards what is left of a pipeline up to its sync point and
// leaves pipeline mode, so that the connection serves libpqxx again. Returns
// false when it cannot: the connection is lost, or more results keep coming
// than `queries` could have produced.
bool leave_pipeline(PGconn* pg, size_t queries) {
  // Each query ends with a null result; an error adds one; then the sync.
  size_t results_left = 3 * queries + 2;
  while (PQpipelineStatus(pg) != PQ_PIPELINE_OFF) {
    if (PQexitPipelineMode(pg) == 1) {
      return true;
    }
    if (PQstatus(pg) != CONNECTION_OK || results_left-- == 0) {
      return false;
    }
    result_ptr discarded{PQgetResult(pg)};
  }
  return true;
}

}  // namespace

void binary_reader::prepare_on(PGconn* pg) {
  if (prepared_on_ != pg) {
    result_ptr prepared{PQprepare(pg, statement_name, sql::select_bytes, 6, nullptr)};
    check(pg, prepared, sql::select_bytes);
    prepared_on_ = pg;
  }
}

std::vector<std::optional<std::string>> binary_reader::bytes_at_each(
    pqxx::connection& conn, const std::vector<artifact_key>& keys) {
  PGconn* pg = handle_of(conn);
  if (pg == nullptr || PQstatus(pg) != CONNECTION_OK) {
    throw pqxx::broken_connection("the connection to PostgreSQL is closed");
  }
  std::vector<std::unique_ptr<key_parameters>> parameters;
  parameters.reserve(keys.size());
  for (const auto& key : keys) {
    parameters.push_back(std::make_unique<key_parameters>(key));
  }
  prepare_on(pg);
  if (PQenterPipelineMode(pg) != 1) {
    throw pqxx::broken_connection(PQerrorMessage(pg));
  }
  std::vector<std::optional<std::string>> found;
  found.reserve(keys.size());
  bool synced = false;
  try {
    for (const auto& key : parameters) {
      if (PQsendQueryPrepared(pg, statement_name, 6, key->values.data(), nullptr, nullptr, 1) !=
          1) {
        check(pg, nullptr, sql::select_bytes);
      }
    }
    if (PQpipelineSync(pg) != 1) {
      check(pg, nullptr, sql::select_bytes);
    }
    synced = true;
    for (size_t i = 0; i < keys.size(); ++i) {
      result_ptr rows{PQgetResult(pg)};
      // A statement lost with the session libpqxx replaced makes the first
      // query fail; the caller's repeat prepares it afresh.
      if (is_missing_statement(rows)) {
        prepared_on_ = nullptr;
      }
      check(pg, rows, sql::select_bytes);
      found.push_back(bytes_of(rows));
      result_ptr end_of_query{PQgetResult(pg)};
    }
  } catch (...) {
    if (!synced) {
      (void)PQpipelineSync(pg);
    }
    if (!leave_pipeline(pg, keys.size())) {
      throw pqxx::broken_connection("the connection to PostgreSQL failed inside a pipeline");
    }
    throw;
  }
  if (!leave_pipeline(pg, keys.size())) {
    throw pqxx::broken_connection("the connection to PostgreSQL failed inside a pipeline");
  }
  return found;
}

std::optional<std::string> binary_reader::bytes_at(pqxx::connection& conn,
                                                   const artifact_key& key) {
  PGconn* pg = handle_of(conn);
  if (pg == nullptr || PQstatus(pg) != CONNECTION_OK) {
    throw pqxx::broken_connection("the connection to PostgreSQL is closed");
  }
  const std::string ns{key.ns};
  const std::string id{key.id};
  const std::array<const char*, 6> values{key.scope.tenant().c_str(),
                                          key.scope.user().c_str(),
                                          key.scope.session().c_str(),
                                          key.scope.task().c_str(),
                                          ns.c_str(),
                                          id.c_str()};
  result_ptr rows;
  // Twice at most: a handle at the address of one we prepared on may still
  // be a new session (libpqxx reconnected), which lacks the statement.
  for (int attempt = 0; attempt < 2; ++attempt) {
    prepare_on(pg);
    rows.reset(PQexecPrepared(pg, statement_name, 6, values.data(), nullptr, nullptr, 1));
    if (!is_missing_statement(rows)) {
      break;
    }
    prepared_on_ = nullptr;
  }
  check(pg, rows, sql::select_bytes);
  return bytes_of(rows);
}

}  // namespace artifacts::postgres
