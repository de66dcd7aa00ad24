#include "storage/postgres/pipelined_insert.hpp"

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include <pqxx/except>

#include "storage/lifecycle.hpp"
#include "storage/postgres/libpq_access.hpp"
#include "storage/postgres/statements.hpp"

namespace artifacts::postgres {

namespace {

constexpr const char* statement_name = "artifacts_insert_row_pipelined";
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
  if (prepared_on_ != pg) {
    result_ptr prepared{
        PQprepare(pg, statement_name, sql::insert_row_returning, parameter_count, nullptr)};
    check(pg, prepared, sql::insert_row_returning);
    prepared_on_ = pg;
  }
}

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
  run_pipeline(
      pg, order.size(), sql::insert_row_returning,
      [&](size_t k) {
        const auto& p = *parameters[k];
        return PQsendQueryPrepared(pg, statement_name, parameter_count, p.values.data(),
                                   p.lengths.data(), p.formats.data(), 0);
      },
      [&](size_t k, result_ptr rows) {
        // A statement lost with the session libpqxx replaced makes the first
        // insert fail; the caller's repeat prepares it afresh.
        if (is_missing_statement(rows)) {
          prepared_on_ = nullptr;
        }
        check(pg, rows, sql::insert_row_returning);
        inserted[order[k]] = PQntuples(rows.get()) > 0;
      });
  return inserted;
}

}  // namespace artifacts::postgres
