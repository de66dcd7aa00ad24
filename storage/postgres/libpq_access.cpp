#include "storage/postgres/libpq_access.hpp"

#include <string_view>

#include <pqxx/except>

namespace artifacts::postgres {

namespace {

// libpqxx 6.4 keeps the libpq handle behind a private accessor that it grants
// only to its own helper classes. An explicit instantiation may name a
// private member (the standard exempts it from access checks), which is the
// one portable way to reach that accessor without patching libpqxx.
using raw_connection_member = pqxx::internal::pq::PGconn* (pqxx::connection_base::*)() const;

raw_connection_member raw_connection_accessor();

template <raw_connection_member Member>
struct raw_connection_access {
  friend raw_connection_member raw_connection_accessor() { return Member; }
};

template struct raw_connection_access<&pqxx::connection_base::raw_connection>;

constexpr const char* undefined_prepared_statement = "26000";

// Reads and discards what is left of a pipeline of `queries` queries up to
// its sync point and leaves pipeline mode. False when it cannot: the
// connection is lost, or more results keep coming than the queries could
// have produced.
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

void leave_pipeline_or_throw(PGconn* pg, size_t queries) {
  if (!leave_pipeline(pg, queries)) {
    throw pqxx::broken_connection("the connection to PostgreSQL failed inside a pipeline");
  }
}

}  // namespace

PGconn* handle_of(const pqxx::connection& conn) {
  return (conn.*raw_connection_accessor())();
}

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

void run_pipeline(PGconn* pg, size_t queries, const char* query,
                  const std::function<int(size_t)>& send,
                  const std::function<void(size_t, result_ptr)>& read) {
  if (PQenterPipelineMode(pg) != 1) {
    throw pqxx::broken_connection(PQerrorMessage(pg));
  }
  bool synced = false;
  try {
    for (size_t i = 0; i < queries; ++i) {
      if (send(i) != 1) {
        check(pg, nullptr, query);
      }
    }
    if (PQpipelineSync(pg) != 1) {
      check(pg, nullptr, query);
    }
    synced = true;
    for (size_t i = 0; i < queries; ++i) {
      read(i, result_ptr{PQgetResult(pg)});
      result_ptr end_of_query{PQgetResult(pg)};
    }
    result_ptr sync{PQgetResult(pg)};
    if (!sync || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) {
      check(pg, sync, "COMMIT");
    }
  } catch (...) {
    if (!synced) {
      (void)PQpipelineSync(pg);
    }
    leave_pipeline_or_throw(pg, queries);
    throw;
  }
  leave_pipeline_or_throw(pg, queries);
}

}  // namespace artifacts::postgres
