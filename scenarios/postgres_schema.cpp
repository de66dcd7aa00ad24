#include "scenarios/postgres_schema.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <stdexcept>
#include <thread>

#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

namespace artifacts::testing {

namespace {

// Bounds every test-support connection and statement so that a sick server fails
// the test instead of hanging it.
constexpr const char* support_settings = "connect_timeout=10 application_name=artifact-store-tests";
constexpr const char* support_statement_timeout = "30s";

// How long a disconnected client's backend may take to leave.
constexpr std::chrono::seconds settle_bound{15};

void ignore_sigpipe_once() {
  static const bool done = [] {
    std::signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)done;
}

std::string unique_schema_name() {
  static std::atomic<unsigned> counter{0};
  std::random_device entropy;
  std::uniform_int_distribution<unsigned> digits{0, 0xffffff};
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%06x", digits(entropy));
  return "artifacts_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
         suffix;
}

// A connection to the PG* environment's server; `search_path` selects a
// schema when not empty.
std::unique_ptr<pqxx::connection> connect(const std::string& search_path = {}) {
  std::string conninfo = support_settings;
  if (!search_path.empty()) {
    conninfo += " options='-c search_path=" + search_path + "'";
  }
  auto conn = std::make_unique<pqxx::connection>(conninfo);
  conn->set_variable("statement_timeout", std::string("'") + support_statement_timeout + "'");
  return conn;
}

}  // namespace

temporary_schema::temporary_schema() {
  ignore_sigpipe_once();
  const char* host = std::getenv("PGHOST");
  if (host == nullptr || *host == '\0') {
    throw std::runtime_error(
        "temporary_schema: PGHOST is not set; run the PostgreSQL tests under pg_virtualenv");
  }
  name_ = unique_schema_name();
  auto conn = connect();
  pqxx::nontransaction tx{*conn};
  tx.exec0("CREATE SCHEMA " + tx.quote_name(name_));
}

temporary_schema::~temporary_schema() {
  try {
    auto conn = connect();
    pqxx::nontransaction tx{*conn};
    tx.exec0("DROP SCHEMA IF EXISTS " + tx.quote_name(name_) + " CASCADE");
  } catch (...) {
    // The cluster is thrown away after the run; a leftover schema is harmless.
  }
}

const std::string& temporary_schema::name() const {
  return name_;
}

std::string temporary_schema::dsn(const std::string& application_name) const {
  std::string quoted;
  for (char c : application_name) {
    if (c == '\'' || c == '\\') {
      quoted += '\\';
    }
    quoted += c;
  }
  return "options='-c search_path=" + name_ + "' application_name='" + quoted + "'";
}

std::vector<std::vector<std::string>> temporary_schema::query(const std::string& sql) const {
  auto conn = connect(name_);
  pqxx::nontransaction tx{*conn};
  auto result = tx.exec(sql);
  std::vector<std::vector<std::string>> rows;
  rows.reserve(result.size());
  for (const auto& row : result) {
    std::vector<std::string> values;
    values.reserve(row.size());
    for (const auto& field : row) {
      values.push_back(field.is_null() ? std::string("<null>") : field.c_str());
    }
    rows.push_back(std::move(values));
  }
  return rows;
}

size_t temporary_schema::stored_artifacts() const {
  auto conn = connect(name_);
  pqxx::nontransaction tx{*conn};
  return tx.exec1("SELECT count(*) FROM artifacts_blobs")[0].as<size_t>();
}

size_t temporary_schema::connections_named(const std::string& application_name) const {
  auto conn = connect();
  pqxx::nontransaction tx{*conn};
  auto result = tx.exec_params1("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                                application_name);
  return result[0].as<size_t>();
}

size_t temporary_schema::connections_settled(const std::string& application_name,
                                             size_t at_most) const {
  const auto deadline = std::chrono::steady_clock::now() + settle_bound;
  for (;;) {
    const auto count = connections_named(application_name);
    if (count <= at_most || std::chrono::steady_clock::now() > deadline) {
      return count;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

size_t temporary_schema::connections_reaching(const std::string& application_name,
                                              size_t at_least) const {
  const auto deadline = std::chrono::steady_clock::now() + settle_bound;
  for (;;) {
    const auto count = connections_named(application_name);
    if (count >= at_least || std::chrono::steady_clock::now() > deadline) {
      return count;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

int temporary_schema::statement_waiting_for_lock(const std::string& application_name,
                                                 std::chrono::milliseconds bound) const {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  auto conn = connect();
  for (;;) {
    pqxx::nontransaction tx{*conn};
    auto result = tx.exec_params(
        "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' "
        "AND wait_event_type = 'Lock' ORDER BY pid LIMIT 1",
        application_name);
    tx.commit();
    if (!result.empty()) {
      return result[0][0].as<int>();
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

struct table_lock::session {
  std::unique_ptr<pqxx::connection> conn;
  std::unique_ptr<pqxx::work> tx;
};

table_lock::table_lock(const temporary_schema& schema, const std::string& table)
    : session_(std::make_unique<session>()) {
  session_->conn = connect(schema.name());
  session_->tx = std::make_unique<pqxx::work>(*session_->conn);
  session_->tx->exec0("LOCK TABLE " + session_->tx->quote_name(table) +
                      " IN ACCESS EXCLUSIVE MODE");
}

table_lock::~table_lock() {
  try {
    release();
  } catch (...) {
    // The connection closes with the session; the server ends the
    // transaction then.
  }
}

void table_lock::release() {
  if (session_->tx) {
    auto tx = std::move(session_->tx);
    tx->commit();
  }
}

}  // namespace artifacts::testing
