#include "storage/sqlite/sqlite_guard.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <new>
#include <random>
#include <string>
#include <thread>

#include <artifact_store/errc.hpp>

namespace artifacts::sqlite {

namespace {

using std::chrono::microseconds;
using std::chrono::steady_clock;

constexpr microseconds first_backoff{100};
constexpr microseconds max_backoff{20000};

bool is_lock_conflict(int primary_code) noexcept {
  return primary_code == SQLITE_BUSY || primary_code == SQLITE_LOCKED;
}

// Sleeps between half and all of `backoff`, so that connections that
// collided once do not collide again in lockstep.
void sleep_jittered(microseconds backoff) {
  thread_local std::minstd_rand rng{std::random_device{}()};
  std::uniform_int_distribution<microseconds::rep> pick(backoff.count() / 2, backoff.count());
  std::this_thread::sleep_for(microseconds{pick(rng)});
}

std::string describe(const sqlite_failure& failure) {
  return std::string(failure.what()) + " (code " + std::to_string(failure.code()) + ")";
}

store_error to_store_error(std::string_view op, const sqlite_failure& failure,
                           std::chrono::milliseconds timeout) {
  const std::string prefix = std::string(op) + ": sqlite: ";
  switch (failure.primary_code()) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return store_error(errc::unavailable, prefix + "the database stayed locked for " +
                                                std::to_string(timeout.count()) +
                                                " ms: " + describe(failure));
    case SQLITE_INTERRUPT:
      return store_error(errc::unavailable,
                         prefix + "timed out after " + std::to_string(timeout.count()) + " ms");
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
      return store_error(errc::unavailable, prefix + describe(failure));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return store_error(errc::internal,
                         prefix + "not a usable SQLite database: " + describe(failure));
    default:
      return store_error(errc::internal, prefix + describe(failure));
  }
}

// Bounds the statements of one guarded call, and lifts the bound after it.
class deadline_scope {
 public:
  deadline_scope(connection* conn, deadline limit) noexcept : conn_(conn) {
    if (conn_ != nullptr) {
      conn_->set_deadline(limit);
    }
  }
  ~deadline_scope() {
    if (conn_ != nullptr) {
      conn_->set_deadline(deadline::max());
    }
  }

  deadline_scope(const deadline_scope&) = delete;
  deadline_scope& operator=(const deadline_scope&) = delete;

 private:
  connection* conn_;
};

}  // namespace

void guarded(std::string_view op, connection* conn, std::chrono::milliseconds timeout,
             const std::function<void()>& attempt) {
  const auto limit = steady_clock::now() + timeout;
  deadline_scope bounded(conn, limit);
  auto backoff = first_backoff;
  for (;;) {
    try {
      attempt();
      return;
    } catch (const store_error&) {
      throw;
    } catch (const sqlite_failure& failure) {
      if (conn != nullptr) {
        conn->rollback_quietly();
      }
      if (!is_lock_conflict(failure.primary_code()) || steady_clock::now() >= limit) {
        throw to_store_error(op, failure, timeout);
      }
    } catch (const std::filesystem::filesystem_error& failure) {
      throw store_error(errc::unavailable, std::string(op) + ": " + failure.what());
    } catch (const std::bad_alloc&) {
      throw store_error(errc::internal, std::string(op) + ": out of memory");
    } catch (const std::exception& failure) {
      throw store_error(errc::internal, std::string(op) + ": " + failure.what());
    }
    sleep_jittered(backoff);
    backoff = std::min(backoff * 2, max_backoff);
  }
}

}  // namespace artifacts::sqlite
