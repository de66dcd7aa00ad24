#include "storage/sqlite/sqlite_migrations.hpp"

#include <string>

#include <artifact_store/errc.hpp>

#include "storage/migrations.hpp"

namespace artifacts::sqlite {

namespace {

constexpr std::string_view create_versions_table = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    applied_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
))sql";

bool is_applied(connection& conn, int version) {
  statement check(conn, "SELECT 1 FROM schema_migrations WHERE version = ?1");
  check.bind_int64(1, version);
  return check.step();
}

void record(connection& conn, int version) {
  statement insert(conn, "INSERT INTO schema_migrations (version) VALUES (?1)");
  insert.bind_int64(1, version);
  insert.step();
}

}  // namespace

std::set<int> recorded_versions(connection& conn) {
  std::set<int> versions;
  statement exists(
      conn, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  if (exists.step()) {
    statement versions_of(conn, "SELECT version FROM schema_migrations");
    while (versions_of.step()) {
      versions.insert(static_cast<int>(versions_of.column_int64(0)));
    }
  }
  return versions;
}

void apply_migrations(connection& conn) {
  refuse_newer_schema("sqlite", recorded_versions(conn));
  for (const auto& step : embedded_migrations("sqlite")) {
    write_transaction tx(conn);
    conn.exec(std::string(create_versions_table));
    if (!is_applied(conn, step.version)) {
      try {
        conn.exec(std::string(step.sql));
      } catch (const sqlite_failure& failure) {
        throw sqlite_failure(failure.code(),
                             "migration " + std::string(step.name) + ": " + failure.what());
      }
      record(conn, step.version);
    }
    tx.commit();
  }
}

}  // namespace artifacts::sqlite
