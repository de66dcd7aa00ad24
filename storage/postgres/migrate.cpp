#include "storage/postgres/migrate.hpp"

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include <artifact_store/errc.hpp>

#include "storage/migrations.hpp"
#include "storage/postgres/pg_errors.hpp"

namespace artifacts::postgres {

namespace {

constexpr const char* create_migrations_table =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())";

// The first line of a migration that must run outside a transaction (an
// index built CONCURRENTLY). Such a file holds one statement.
constexpr std::string_view outside_transaction = "-- artifact-store: outside a transaction";

// How often a waiting opener asks for the migration lock again.
constexpr std::chrono::milliseconds lock_poll{20};

// Holds the migration lock for its lifetime. The lock is asked for again
// and again (pg_try_advisory_lock) rather than waited for in one statement:
// a session blocked in pg_advisory_lock keeps a transaction open, and an
// index built CONCURRENTLY by the holder waits for every open transaction
// to end, so the two would wait for each other. Releasing is best effort:
// when the unlock cannot be sent the connection is gone or about to be
// closed by the caller, and the server drops a session's locks with the
// session.
class migration_lock {
 public:
  migration_lock(pqxx::connection& conn, std::chrono::milliseconds bound) : conn_(conn) {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    while (!try_lock()) {
      if (std::chrono::steady_clock::now() >= deadline) {
        throw store_error(errc::unavailable,
                          "open: another node held the migration lock for longer than " +
                              std::to_string(bound.count()) + " ms");
      }
      std::this_thread::sleep_for(lock_poll);
    }
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
  bool try_lock() {
    pqxx::nontransaction tx{conn_};
    return tx.exec_params1("SELECT pg_try_advisory_lock($1)", migration_lock_key)[0].as<bool>();
  }

  pqxx::connection& conn_;
};

// Sets the session's statement timeout for its lifetime and restores the
// one it found, best effort as the lock's release.
class statement_bound {
 public:
  statement_bound(pqxx::connection& conn, std::chrono::milliseconds bound) : conn_(conn) {
    pqxx::nontransaction tx{conn_};
    previous_ = tx.exec1("SHOW statement_timeout")[0].as<std::string>();
    tx.exec_params("SELECT set_config('statement_timeout', $1, false)",
                   std::to_string(bound.count()));
  }

  ~statement_bound() {
    try {
      pqxx::nontransaction tx{conn_};
      tx.exec_params("SELECT set_config('statement_timeout', $1, false)", previous_);
    } catch (...) {
    }
  }

  statement_bound(const statement_bound&) = delete;
  statement_bound& operator=(const statement_bound&) = delete;

 private:
  pqxx::connection& conn_;
  std::string previous_;
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

void record(pqxx::transaction_base& tx, const migration& step) {
  tx.exec_params0("INSERT INTO schema_migrations (version) VALUES ($1)", step.version);
}

void apply_in_transaction(pqxx::connection& conn, const migration& step) {
  pqxx::work tx{conn};
  tx.exec(std::string(step.sql));
  record(tx, step);
  tx.commit();
}

// The names of the indexes a migration builds CONCURRENTLY: each word after
// "CREATE INDEX CONCURRENTLY IF NOT EXISTS ", spelled so in our own files.
std::vector<std::string> indexes_built_concurrently(std::string_view sql) {
  constexpr std::string_view create_index = "CREATE INDEX CONCURRENTLY IF NOT EXISTS ";
  std::vector<std::string> names;
  for (auto at = sql.find(create_index); at != std::string_view::npos;
       at = sql.find(create_index, at)) {
    at += create_index.size();
    const auto end = sql.find_first_not_of(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", at);
    names.emplace_back(sql.substr(at, end == std::string_view::npos ? end : end - at));
  }
  return names;
}

// Whether the index `name` exists, and if so whether it is valid.
std::optional<bool> index_validity(pqxx::connection& conn, const std::string& name) {
  pqxx::nontransaction tx{conn};
  auto rows =
      tx.exec_params("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass($1)", name);
  if (rows.empty()) {
    return std::nullopt;
  }
  return rows[0][0].as<bool>();
}

// Runs a migration of one statement outside any transaction. An index that
// an earlier run left INVALID (its build stopped part way) is dropped
// first, since IF NOT EXISTS would take it as built. The version is
// recorded only once every index the migration builds is valid; a run that
// stops before that is simply run again by the next open.
void apply_outside_transaction(pqxx::connection& conn, const migration& step) {
  const auto indexes = indexes_built_concurrently(step.sql);
  for (const auto& name : indexes) {
    if (index_validity(conn, name) == false) {
      pqxx::nontransaction tx{conn};
      tx.exec0("DROP INDEX CONCURRENTLY IF EXISTS " + tx.quote_name(name));
    }
  }
  {
    pqxx::nontransaction tx{conn};
    tx.exec(std::string(step.sql));
  }
  for (const auto& name : indexes) {
    if (index_validity(conn, name) != true) {
      throw store_error(errc::internal, "index " + name + " is not valid after its build");
    }
  }
  pqxx::nontransaction tx{conn};
  record(tx, step);
}

void apply(pqxx::connection& conn, const migration& step) {
  if (step.sql.rfind(outside_transaction, 0) == 0) {
    apply_outside_transaction(conn, step);
  } else {
    apply_in_transaction(conn, step);
  }
}

}  // namespace

std::set<int> recorded_versions(pqxx::connection& conn) {
  return with_errors("migrate: reading the applied migrations", [&] {
    pqxx::nontransaction tx{conn};
    std::set<int> versions;
    if (!tx.exec1("SELECT to_regclass('schema_migrations') IS NULL")[0].as<bool>()) {
      for (const auto& row : tx.exec("SELECT version FROM schema_migrations")) {
        versions.insert(row[0].as<int>());
      }
    }
    tx.commit();
    return versions;
  });
}

void migrate(pqxx::connection& conn, std::chrono::milliseconds bound) {
  std::optional<statement_bound> bounded;
  with_errors("open: bounding the migration", [&] { bounded.emplace(conn, bound); });
  std::optional<migration_lock> lock;
  with_errors("open: taking the migration lock", [&] { lock.emplace(conn, bound); });
  auto applied =
      with_errors("open: reading the applied migrations", [&] { return applied_versions(conn); });
  refuse_newer_schema("postgres", applied);
  for (const auto& step : embedded_migrations("postgres")) {
    if (applied.count(step.version) == 0) {
      with_errors("open: migration " + std::string(step.name) + " failed",
                  [&] { apply(conn, step); });
    }
  }
}

}  // namespace artifacts::postgres
