#include "storage/sqlite/sqlite_driver.hpp"

#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <string>

#include <unistd.h>

#include <artifact_store/errc.hpp>

#include "storage/dsn.hpp"
#include "storage/durable_folders.hpp"
#include "storage/sqlite/sqlite_backend.hpp"
#include "storage/sqlite/sqlite_connection.hpp"
#include "storage/sqlite/sqlite_guard.hpp"
#include "storage/sqlite/sqlite_migrations.hpp"

namespace artifacts {

namespace {

using sqlite::connection;

constexpr std::string_view memory_location = ":memory:";

// A name no other driver, in this process or another, can come up with: every
// in-memory driver gets its own shared-cache database.
std::string unique_memory_uri() {
  static std::atomic<uint64_t> counter{0};
  static const uint64_t salt = std::random_device{}();
  return "file:artifacts-mem-" + std::to_string(::getpid()) + "-" + std::to_string(salt) + "-" +
         std::to_string(counter.fetch_add(1)) + "?mode=memory&cache=shared";
}

// This SQLite build reads "file:..." names as URIs even without
// SQLITE_OPEN_URI; a DSN path is always a plain file name.
std::string literal_file_name(const std::string& path) {
  return path.rfind("file:", 0) == 0 ? "./" + path : path;
}

class sqlite_driver final : public driver {
 public:
  sqlite_driver(const storage_options& options, const std::string& location)
      : options_(options), in_memory_(location == memory_location) {
    sqlite::guarded("open", nullptr, options_.statement_timeout, [&] {
      if (in_memory_) {
        filename_ = unique_memory_uri();
        flags_ |= SQLITE_OPEN_URI;
      } else {
        auto folder = std::filesystem::path(location).parent_path();
        if (!folder.empty()) {
          create_folders_durably(folder);
        }
        filename_ = literal_file_name(location);
      }
    });
    auto setup = connect();
    sqlite::guarded("open", setup.get(), options_.statement_timeout, [&] {
      if (!in_memory_) {
        use_wal(*setup);
        make_visible_commits_durable(*setup);
      }
      sqlite::apply_migrations(*setup);
    });
    // The last connection to a shared-cache memory database destroys it:
    // this one keeps it for the driver's life.
    if (in_memory_) {
      keeper_ = std::move(setup);
    }
  }

  std::string_view name() const noexcept override { return driver_kind_name(driver_kind::sqlite); }

  std::unique_ptr<backend> open_backend() override {
    return sqlite::make_sqlite_backend(connect(), options_.statement_timeout, options_.clock);
  }

  const storage_options& options() const noexcept override { return options_; }

 private:
  std::unique_ptr<connection> connect() {
    std::unique_ptr<connection> conn;
    sqlite::guarded("open", nullptr, options_.statement_timeout, [&] {
      conn = std::make_unique<connection>(filename_, flags_, options_.statement_timeout);
      if (!in_memory_) {
        // In WAL mode NORMAL may lose the last commits on power loss; FULL
        // syncs the log at every commit, so an acknowledged put is durable.
        conn->exec("PRAGMA synchronous = FULL");
      }
    });
    return conn;
  }

  // A process killed inside a commit, after writing the WAL and before
  // syncing it, leaves a commit that every later reader sees but that a
  // power cut would take back; a re-put would then acknowledge an artifact
  // that is not durable. A checkpoint syncs the WAL before it copies it
  // into the database (and syncs that), so what this store will serve is
  // on disk before it serves it. PASSIVE: it never waits for other
  // connections; at open there usually are none, and the WAL sync happens
  // whenever it has frames to copy.
  static void make_visible_commits_durable(connection& conn) {
    sqlite::statement checkpoint(conn, "PRAGMA wal_checkpoint(PASSIVE)");
    while (checkpoint.step()) {
    }
  }

  // WAL lets readers run while a writer commits. The mode is stored in the
  // file, so this only changes a new database; switching needs a moment of
  // exclusive access, which a concurrent opener may hold (SQLITE_BUSY).
  static void use_wal(connection& conn) {
    sqlite::statement pragma(conn, "PRAGMA journal_mode = WAL");
    std::string mode = pragma.step() ? std::string(pragma.column_text(0)) : std::string();
    if (mode != "wal") {
      throw store_error(
          errc::internal,
          "open: sqlite: the database cannot use the WAL journal (mode is \"" + mode + "\")");
    }
  }

  storage_options options_;
  bool in_memory_;
  std::string filename_;
  int flags_ = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  std::unique_ptr<connection> keeper_;
};

}  // namespace

std::shared_ptr<driver> make_sqlite_driver(const storage_options& options,
                                           const std::string& location) {
  return std::make_shared<sqlite_driver>(options, location);
}

std::set<int> recorded_sqlite_versions(const storage_options& options,
                                       const std::string& location) {
  std::set<int> versions;
  if (location == memory_location || !std::filesystem::exists(location)) {
    return versions;
  }
  sqlite::guarded("migrate", nullptr, options.statement_timeout, [&] {
    connection conn{literal_file_name(location), SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                    options.statement_timeout};
    versions = sqlite::recorded_versions(conn);
  });
  return versions;
}

}  // namespace artifacts
