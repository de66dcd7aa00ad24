#include "storage/postgres/pipelined_insert.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include <pqxx/except>

#include "storage/lifecycle.hpp"
#include "storage/postgres/libpq_access.hpp"
#include "storage/postgres/statements.hpp"

namespace artifacts::postgres {

namespace {

constexpr const char* insert_name = "artifacts_insert_row_pipelined";
constexpr const char* insert_counted_name = "artifacts_insert_row_counted_pipelined";
constexpr const char* add_counts_name = "artifacts_add_counts_pipelined";
constexpr int parameter_count = 14;

// libpq reads a null value as SQL NULL, whatever its length says; an empty
// view may have a null data pointer.
const char* not_null(std::string_view bytes) {
  return bytes.data() != nullptr ? bytes.data() : "";
}

// The fourteen parameters of one insert, kept alive for libpq. The source
// and the payload (bytea) go in binary, the rest as text; no expiry is NULL.
struct insert_parameters {
  explicit insert_parameters(const new_artifact& artifact)
      : size_bytes(std::to_string(artifact.ref.size_bytes())),
        created_at(std::to_string(micros_of(artifact.ref.created_at()))) {
    const auto& ref = artifact.ref;
    const auto& scope = ref.scope();
    values = {scope.tenant().c_str(),
              scope.user().c_str(),
              scope.session().c_str(),
              scope.task().c_str(),
              ref.namespace_().c_str(),
              ref.id().c_str(),
              ref.mime_type().c_str(),
              size_bytes.c_str(),
              ref.filename().c_str(),
              ref.sha256().c_str(),
              not_null(artifact.source_json),
              not_null(artifact.bytes),
              created_at.c_str(),
              nullptr};
    if (auto at = expiry_of(ref)) {
      expires_at = std::to_string(*at);
      values[13] = expires_at.c_str();
    }
    lengths.fill(0);
    formats.fill(0);
    lengths[10] = static_cast<int>(artifact.source_json.size());
    lengths[11] = static_cast<int>(artifact.bytes.size());
    formats[10] = 1;
    formats[11] = 1;
  }
  insert_parameters(const insert_parameters&) = delete;
  insert_parameters& operator=(const insert_parameters&) = delete;

  std::string size_bytes;
  std::string created_at;
  std::string expires_at;
  std::array<const char*, parameter_count> values{};
  std::array<int, parameter_count> lengths{};
  std::array<int, parameter_count> formats{};
};

}  // namespace

void batch_inserter::prepare_on(PGconn* pg) {
  if (prepared_on_ == pg) {
    return;
  }
  for (const auto& [name, text, parameters] :
       {std::tuple{insert_name, sql::insert_row_returning, parameter_count},
        std::tuple{insert_counted_name, sql::insert_row_counted, parameter_count},
        std::tuple{add_counts_name, sql::add_counts, 3}}) {
    result_ptr prepared{PQprepare(pg, name, text, parameters, nullptr)};
    check(pg, prepared, text);
  }
  prepared_on_ = pg;
}

namespace {

// Sends a statement without parameters (BEGIN, COMMIT) into a pipeline,
// which takes no simple queries.
int send_command(PGconn* pg, const char* command) {
  return PQsendQueryParams(pg, command, 0, nullptr, nullptr, nullptr, nullptr, 0);
}

// Ends the explicit transaction a batch opened, unless it has ended: on the
// way out of a failure, so that the connection serves libpqxx again.
// Nothing can be done for a connection that is gone.
void roll_back_if_open(PGconn* pg) {
  const auto status = PQtransactionStatus(pg);
  if (status == PQTRANS_INTRANS || status == PQTRANS_INERROR) {
    result_ptr ignored{PQexec(pg, "ROLLBACK")};
  }
}

// The artifacts and bytes a batch added, per tenant.
using tallies = std::map<std::string, std::pair<int64_t, int64_t>>;

}  // namespace

std::vector<bool> batch_inserter::insert_all(pqxx::connection& conn,
                                             const std::vector<new_artifact>& artifacts,
                                             const std::vector<size_t>& order) {
  PGconn* pg = handle_of(conn);
  if (pg == nullptr || PQstatus(pg) != CONNECTION_OK) {
    throw pqxx::broken_connection("the connection to PostgreSQL is closed");
  }
  std::vector<std::unique_ptr<insert_parameters>> parameters;
  parameters.reserve(order.size());
  for (size_t i : order) {
    parameters.push_back(std::make_unique<insert_parameters>(artifacts[i]));
  }
  prepare_on(pg);
  std::vector<bool> inserted(artifacts.size(), false);
  auto send_insert = [&](const char* name, size_t k) {
    const auto& p = *parameters[k];
    return PQsendQueryPrepared(pg, name, parameter_count, p.values.data(), p.lengths.data(),
                               p.formats.data(), 0);
  };
  auto read_insert = [&](size_t k, result_ptr rows, const char* text) {
    // A statement lost with the session libpqxx replaced makes the first
    // insert fail; the caller's repeat prepares it afresh.
    if (is_missing_statement(rows)) {
      prepared_on_ = nullptr;
    }
    check(pg, rows, text);
    inserted[order[k]] = PQntuples(rows.get()) > 0;
  };
  if (order.size() == 1) {
    // One statement inserts and counts; its implicit transaction commits
    // at the sync point.
    run_pipeline(
        pg, 1, sql::insert_row_counted,
        [&](size_t k) { return send_insert(insert_counted_name, k); },
        [&](size_t k, result_ptr rows) {
          read_insert(k, std::move(rows), sql::insert_row_counted);
        });
    return inserted;
  }
  // A batch counts what it added once per tenant, not row by row: its
  // inserts run in an explicit transaction, and a second round trip adds
  // the counts of the rows they inserted and commits.
  try {
    run_pipeline(
        pg, order.size() + 1, sql::insert_row_returning,
        [&](size_t k) {
          return k == 0 ? send_command(pg, "BEGIN") : send_insert(insert_name, k - 1);
        },
        [&](size_t k, result_ptr rows) {
          if (k == 0) {
            check(pg, rows, "BEGIN");
          } else {
            read_insert(k - 1, std::move(rows), sql::insert_row_returning);
          }
        });
    tallies added;
    for (size_t i = 0; i < artifacts.size(); ++i) {
      if (inserted[i]) {
        auto& tally = added[artifacts[i].ref.scope().tenant()];
        tally.first += 1;
        tally.second += artifacts[i].ref.size_bytes();
      }
    }
    std::vector<std::array<std::string, 3>> counts;
    for (const auto& [tenant, tally] : added) {
      counts.push_back({tenant, std::to_string(tally.first), std::to_string(tally.second)});
    }
    run_pipeline(
        pg, counts.size() + 1, sql::add_counts,
        [&](size_t k) {
          if (k == counts.size()) {
            return send_command(pg, "COMMIT");
          }
          const std::array<const char*, 3> values{counts[k][0].c_str(), counts[k][1].c_str(),
                                                  counts[k][2].c_str()};
          return PQsendQueryPrepared(pg, add_counts_name, 3, values.data(), nullptr, nullptr, 0);
        },
        [&](size_t k, result_ptr rows) {
          check(pg, rows, k == counts.size() ? "COMMIT" : sql::add_counts);
        });
  } catch (...) {
    roll_back_if_open(pg);
    throw;
  }
  return inserted;
}

}  // namespace artifacts::postgres
