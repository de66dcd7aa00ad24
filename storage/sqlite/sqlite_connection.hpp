// Thin RAII ownership of SQLite connections and prepared statements.
//
// Nothing here maps errors: every failure throws sqlite_failure carrying the
// SQLite result code, and the driver's guard (sqlite_guard.hpp) turns it into
// a store_error in one place.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_blob;
struct sqlite3_stmt;

namespace artifacts::sqlite {

// A failed SQLite call: the extended result code and SQLite's own message.
class sqlite_failure : public std::runtime_error {
 public:
  sqlite_failure(int code, const std::string& message) : std::runtime_error(message), code_(code) {}

  // The extended result code (SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_WRITE, ...).
  int code() const noexcept { return code_; }

  // The primary result code (SQLITE_BUSY, SQLITE_IOERR, ...).
  int primary_code() const noexcept { return code_ & 0xff; }

 private:
  int code_;
};

using deadline = std::chrono::steady_clock::time_point;

// One open database connection, used by one thread at a time.
class connection {
 public:
  // Opens `filename` with the SQLITE_OPEN_* `flags`, turns on extended result
  // codes, sets the busy timeout (how long a statement waits for another
  // connection's lock before failing with SQLITE_BUSY) and installs the
  // deadline check. Throws sqlite_failure; the message names `filename`.
  connection(const std::string& filename, int flags, std::chrono::milliseconds busy_timeout);
  ~connection();

  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  sqlite3* handle() const noexcept { return db_; }

  // Statements running past `limit` are interrupted (SQLITE_INTERRUPT).
  // The default is no limit.
  void set_deadline(deadline limit) noexcept { deadline_ = limit; }
  bool past_deadline() const noexcept;

  // Runs `sql`, one or more statements without parameters, discarding rows.
  // Throws sqlite_failure.
  void exec(const std::string& sql);

  // Rolls back the open transaction, if any. Never throws: when a rollback
  // fails the connection is unusable anyway and the next call reports it.
  void rollback_quietly() noexcept;

  // True when no transaction is open.
  bool autocommit() const noexcept;

  // Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t changes() const noexcept;

  // The rowid of the row the last successful INSERT added.
  int64_t last_insert_rowid() const noexcept;

  // The most bytes one value (a blob or a text) may hold on this connection.
  int64_t length_limit() const noexcept;

  // Throws sqlite_failure for `code` with the connection's error message.
  [[noreturn]] void fail(int code) const;

 private:
  sqlite3* db_ = nullptr;
  deadline deadline_ = deadline::max();
};

// A statement prepared once and reused; binds and reads by position.
class statement {
 public:
  // Prepares `sql` (one statement) on `conn`. Throws sqlite_failure.
  statement(connection& conn, std::string_view sql);
  ~statement();

  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  // Parameters are 1-based. Text and blobs are not copied: the bound memory
  // must stay valid until the statement is reset.
  void bind_text(int index, std::string_view value);
  void bind_blob(int index, std::string_view value);
  void bind_int64(int index, int64_t value);
  void bind_null(int index);
  // A blob of `size` zero bytes, to be filled in place later (blob).
  void bind_zeroblob(int index, uint64_t size);

  // Advances to the next row: true when a row is ready, false when the
  // statement is done. Throws sqlite_failure.
  bool step();

  // Columns are 0-based and valid until the next step or reset.
  std::string_view column_text(int index) const noexcept;
  std::string_view column_blob(int index) const noexcept;
  int64_t column_int64(int index) const noexcept;
  bool column_is_null(int index) const noexcept;

  // Ends the current run and clears the bindings, releasing the locks a
  // half-read statement holds. Never throws.
  void reset() noexcept;

 private:
  connection& conn_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a statement when the scope that runs it ends, however it ends.
class statement_run {
 public:
  explicit statement_run(statement& stmt) noexcept : stmt_(stmt) {}
  ~statement_run() { stmt_.reset(); }

  statement_run(const statement_run&) = delete;
  statement_run& operator=(const statement_run&) = delete;

 private:
  statement& stmt_;
};

// One value of one row opened for incremental I/O: parts of a large blob
// read or written without the whole of it in memory. While it is open it
// counts as a running statement of its connection (close it before COMMIT),
// and it sees the row as of its transaction.
class blob {
 public:
  // Opens column `column` of the row `rowid` of `table` in the main
  // database, for writing too when `writable`. Throws sqlite_failure.
  blob(connection& conn, const char* table, const char* column, int64_t rowid, bool writable);
  ~blob();

  blob(const blob&) = delete;
  blob& operator=(const blob&) = delete;

  // The value's size in bytes.
  uint64_t size() const noexcept;

  // Copies `count` bytes from `offset` into `out`, or `data` to `offset`;
  // the range must lie inside the value (a write never resizes it). Throws
  // sqlite_failure.
  void read(char* out, uint64_t count, uint64_t offset);
  void write(std::string_view data, uint64_t offset);

 private:
  connection& conn_;
  sqlite3_blob* blob_ = nullptr;
};

// BEGIN IMMEDIATE: takes the database's write lock up front, so a write
// transaction never fails halfway for want of a lock. Rolled back on
// destruction unless committed.
class write_transaction {
 public:
  explicit write_transaction(connection& conn);
  ~write_transaction();

  write_transaction(const write_transaction&) = delete;
  write_transaction& operator=(const write_transaction&) = delete;

  // Throws sqlite_failure; the transaction is then rolled back.
  void commit();

 private:
  connection& conn_;
  bool done_ = false;
};

}  // namespace artifacts::sqlite
