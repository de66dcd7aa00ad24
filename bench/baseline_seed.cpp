// The seed baseline: the original driver's statement flow through libpqxx.
#include <stdexcept>
#include <string>
#include <utility>

#include <pqxx/binarystring>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include "bench/baseline_parts.hpp"
#include "bench/baseline_sql.hpp"
#include "storage/postgres/conninfo.hpp"

namespace artifacts::bench {

namespace {

class seed_caller final : public caller {
 public:
  seed_caller(std::unique_ptr<pqxx::connection> conn, const run_scope& where)
      : conn_(std::move(conn)), where_(where) {}

  std::string put(std::string bytes) override {
    const auto row = describe_put(where_, bytes);
    const auto& s = where_.scope;
    pqxx::work tx{*conn_};
    auto stored = tx.exec_params(sql::select_ref, s.tenant(), s.user(), s.session(), s.task(),
                                 where_.name_space, row.id);
    if (stored.empty()) {
      tx.exec_params(sql::insert_row, s.tenant(), s.user(), s.session(), s.task(),
                     where_.name_space, row.id, row.mime_type, static_cast<int64_t>(bytes.size()),
                     row.filename, row.sha256,
                     pqxx::binarystring{row.source_json.data(), row.source_json.size()},
                     pqxx::binarystring{bytes.data(), bytes.size()});
      stored = tx.exec_params(sql::select_ref, s.tenant(), s.user(), s.session(), s.task(),
                              where_.name_space, row.id);
    }
    tx.commit();
    if (stored.empty()) {
      throw std::runtime_error("put: the row vanished after the insert");
    }
    return row.id;
  }

  size_t get(const std::string& id) override {
    const auto& s = where_.scope;
    pqxx::nontransaction tx{*conn_};
    auto rows = tx.exec_params(sql::select_bytes, s.tenant(), s.user(), s.session(), s.task(),
                               where_.name_space, id);
    tx.commit();
    if (rows.empty()) {
      throw std::runtime_error("get: artifact " + id + " not found");
    }
    return pqxx::binarystring{rows[0][0]}.str().size();
  }

 private:
  std::unique_ptr<pqxx::connection> conn_;
  const run_scope& where_;
};

}  // namespace

std::unique_ptr<caller> open_seed_caller(const std::string& dsn, const run_scope& where) {
  const auto options = baseline_storage_options(dsn);
  const auto info = postgres::make_conninfo(dsn, options);
  return std::make_unique<seed_caller>(postgres::connect("bench", info, options), where);
}

}  // namespace artifacts::bench
