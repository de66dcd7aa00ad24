// One PostgreSQL connection serving one worker.
#pragma once

#include <memory>

#include <pqxx/connection>

#include "storage/backend.hpp"

namespace artifacts::postgres {

// A backend over `conn`, an open connection the backend now owns (see
// connect in conninfo.hpp). Its statements are prepared once on this
// connection, on first use. Every failure leaves its methods as store_error
// (see pg_errors.hpp); after errc::unavailable the connection may be dead and
// the owner should destroy the backend, which never throws or waits on the
// server, and open a new one.
std::unique_ptr<backend> make_backend(std::unique_ptr<pqxx::connection> conn);

}  // namespace artifacts::postgres
