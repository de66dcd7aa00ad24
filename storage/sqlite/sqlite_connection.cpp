#include "storage/sqlite/sqlite_connection.hpp"

#include <sqlite3.h>

#include <climits>

namespace artifacts::sqlite {

namespace {

// How many virtual machine instructions run between two deadline checks.
constexpr int deadline_check_interval = 1000;

int interrupt_past_deadline(void* conn) {
  return static_cast<const connection*>(conn)->past_deadline() ? 1 : 0;
}

int busy_timeout_ms(std::chrono::milliseconds timeout) {
  return timeout.count() > INT_MAX ? INT_MAX : static_cast<int>(timeout.count());
}

// SQLite binds a null pointer as SQL NULL; an empty value must stay empty.
const char* non_null(std::string_view value) noexcept {
  return value.data() != nullptr ? value.data() : "";
}

}  // namespace

connection::connection(const std::string& filename, int flags,
                       std::chrono::milliseconds busy_timeout) {
  int rc = sqlite3_open_v2(filename.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw sqlite_failure(rc, message + ": " + filename);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, busy_timeout_ms(busy_timeout));
  sqlite3_progress_handler(db_, deadline_check_interval, interrupt_past_deadline, this);
}

connection::~connection() {
  sqlite3_close_v2(db_);
}

bool connection::past_deadline() const noexcept {
  return deadline_ != deadline::max() && std::chrono::steady_clock::now() > deadline_;
}

void connection::exec(const std::string& sql) {
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    fail(rc);
  }
}

void connection::rollback_quietly() noexcept {
  if (!autocommit()) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

bool connection::autocommit() const noexcept {
  return sqlite3_get_autocommit(db_) != 0;
}

int64_t connection::changes() const noexcept {
  return sqlite3_changes64(db_);
}

int64_t connection::last_insert_rowid() const noexcept {
  return sqlite3_last_insert_rowid(db_);
}

int64_t connection::length_limit() const noexcept {
  return sqlite3_limit(db_, SQLITE_LIMIT_LENGTH, -1);
}

void connection::fail(int code) const {
  throw sqlite_failure(code, sqlite3_errmsg(db_));
}

statement::statement(connection& conn, std::string_view sql) : conn_(conn) {
  int rc = sqlite3_prepare_v3(conn.handle(), sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    conn.fail(rc);
  }
}

statement::~statement() {
  sqlite3_finalize(stmt_);
}

void statement::bind_text(int index, std::string_view value) {
  int rc =
      sqlite3_bind_text64(stmt_, index, non_null(value), value.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (rc != SQLITE_OK) {
    conn_.fail(rc);
  }
}

void statement::bind_blob(int index, std::string_view value) {
  int rc = sqlite3_bind_blob64(stmt_, index, non_null(value), value.size(), SQLITE_STATIC);
  if (rc != SQLITE_OK) {
    conn_.fail(rc);
  }
}

void statement::bind_int64(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) {
    conn_.fail(rc);
  }
}

void statement::bind_null(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) {
    conn_.fail(rc);
  }
}

void statement::bind_zeroblob(int index, uint64_t size) {
  int rc = sqlite3_bind_zeroblob64(stmt_, index, size);
  if (rc != SQLITE_OK) {
    conn_.fail(rc);
  }
}

bool statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  conn_.fail(rc);
}

std::string_view statement::column_text(int index) const noexcept {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
  if (text == nullptr) {
    return {};
  }
  return {text, static_cast<size_t>(sqlite3_column_bytes(stmt_, index))};
}

std::string_view statement::column_blob(int index) const noexcept {
  const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, index));
  if (data == nullptr) {
    return {};
  }
  return {data, static_cast<size_t>(sqlite3_column_bytes(stmt_, index))};
}

int64_t statement::column_int64(int index) const noexcept {
  return sqlite3_column_int64(stmt_, index);
}

bool statement::column_is_null(int index) const noexcept {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

void statement::reset() noexcept {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

blob::blob(connection& conn, const char* table, const char* column, int64_t rowid, bool writable)
    : conn_(conn) {
  int rc = sqlite3_blob_open(conn.handle(), "main", table, column, rowid, writable ? 1 : 0, &blob_);
  if (rc != SQLITE_OK) {
    conn.fail(rc);  // blob_ is null: nothing to close
  }
}

blob::~blob() {
  sqlite3_blob_close(blob_);
}

uint64_t blob::size() const noexcept {
  return static_cast<uint64_t>(sqlite3_blob_bytes(blob_));
}

// Offsets and counts fit in an int: a blob is never larger than the length
// limit, itself an int.
void blob::read(char* out, uint64_t count, uint64_t offset) {
  int rc = sqlite3_blob_read(blob_, out, static_cast<int>(count), static_cast<int>(offset));
  if (rc != SQLITE_OK) {
    conn_.fail(rc);
  }
}

void blob::write(std::string_view data, uint64_t offset) {
  int rc = sqlite3_blob_write(blob_, data.data(), static_cast<int>(data.size()),
                              static_cast<int>(offset));
  if (rc != SQLITE_OK) {
    conn_.fail(rc);
  }
}

write_transaction::write_transaction(connection& conn) : conn_(conn) {
  conn_.exec("BEGIN IMMEDIATE");
}

write_transaction::~write_transaction() {
  if (!done_) {
    conn_.rollback_quietly();
  }
}

void write_transaction::commit() {
  conn_.exec("COMMIT");
  done_ = true;
}

}  // namespace artifacts::sqlite
