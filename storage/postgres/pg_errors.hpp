// The one place where the PostgreSQL driver turns libpqxx and libpq failures
// into store_error.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace artifacts::postgres {

// Rethrows the exception in flight as store_error; call it only inside a
// catch block. store_error passes through unchanged. Failures a retry may
// cure are errc::unavailable: a lost connection (broken_connection, SQLSTATE
// class 08), a commit whose outcome is unknown (in_doubt_error), a statement
// timeout (57014), a server shutting down, crashed or starting (57P01, 57P02,
// 57P03), a server out of resources (class 53), a serialization failure
// (40001) and a deadlock (40P01). Everything else is errc::internal. The
// message names `op` and the cause in plain words ("put: connection to
// PostgreSQL lost: ..."). The failures that ended the session (a lost
// connection, an unknown commit or statement outcome, 57P01, 57P02) carry
// retry_advice::on_new_connection; the others carry none.
[[noreturn]] void rethrow_as_store_error(std::string_view op);

// Like rethrow_as_store_error, for a failure while opening a connection:
// libpq's refusal (unreachable server, failed authentication, no such
// database, too many connections) becomes errc::unavailable, "<op>: cannot
// connect to PostgreSQL: <libpq's reason>", with every occurrence of
// `password` masked.
[[noreturn]] void rethrow_as_connect_error(std::string_view op, std::string_view password);

// Runs `fn` and returns its result; whatever it throws leaves as store_error
// (see rethrow_as_store_error).
template <class Fn>
auto with_errors(std::string_view op, Fn&& fn) -> decltype(std::forward<Fn>(fn)()) {
  try {
    return std::forward<Fn>(fn)();
  } catch (...) {
    rethrow_as_store_error(op);
  }
}

}  // namespace artifacts::postgres
