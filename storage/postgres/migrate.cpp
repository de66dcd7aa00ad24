#include "storage/postgres/migrate.hpp"

#include <optional>
#include <set>
#include <string>

#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include "storage/migrations.hpp"
#include "storage/postgres/pg_errors.hpp"

namespace artifacts::postgres {

namespace {

constexpr const char* create_migrations_table =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())";

// Holds the migration lock for its lifetime. Releasing is best effort: when
// the unlock cannot be sent the connection is gone or about to be closed by
// the caller, and the server drops a session's locks with the session.
class migration_lock {
 public:
  explicit migration_lock(pqxx::connection& conn) : conn_(conn) {
    pqxx::nontransaction tx{conn_};
    tx.exec_params("SELECT pg_advisory_lock($1)", migration_lock_key);
    tx.commit();
  }

  ~migration_lock() {
    try {
      pqxx::nontransaction tx{conn_};
      tx.exec_params("SELECT pg_advisory_unlock($1)", migration_lock_key);
      tx.commit();
    } catch (...) {
    }
  }

  migration_lock(const migration_lock&) = delete;
  migration_lock& operator=(const migration_lock&) = delete;

 private:
  pqxx::connection& conn_;
};

std::set<int> applied_versions(pqxx::connection& conn) {
  pqxx::nontransaction tx{conn};
  // Creating only when missing spares a role without CREATE on the schema
  // from failing on an already migrated database.
  if (tx.exec1("SELECT to_regclass('schema_migrations') IS NULL")[0].as<bool>()) {
    tx.exec0(create_migrations_table);
  }
  std::set<int> versions;
  for (const auto& row : tx.exec("SELECT version FROM schema_migrations")) {
    versions.insert(row[0].as<int>());
  }
  tx.commit();
  return versions;
}

void apply(pqxx::connection& conn, const migration& step) {
  pqxx::work tx{conn};
  tx.exec(std::string(step.sql));
  tx.exec_params0("INSERT INTO schema_migrations (version) VALUES ($1)", step.version);
  tx.commit();
}

}  // namespace

void migrate(pqxx::connection& conn) {
  std::optional<migration_lock> lock;
  with_errors("open: taking the migration lock", [&] { lock.emplace(conn); });
  auto applied =
      with_errors("open: reading the applied migrations", [&] { return applied_versions(conn); });
  for (const auto& step : embedded_migrations("postgres")) {
    if (applied.count(step.version) == 0) {
      with_errors("open: migration " + std::string(step.name) + " failed",
                  [&] { apply(conn, step); });
    }
  }
}

}  // namespace artifacts::postgres
