// One PostgreSQL connection serving one worker.
#pragma once

#include <chrono>
#include <memory>

#include <pqxx/connection>

#include <artifact_store/storage_options.hpp>

#include "storage/backend.hpp"
#include "storage/postgres/call_watchdog.hpp"

namespace artifacts::postgres {

// A backend over `conn`, an open connection the backend now owns (see
// connect in conninfo.hpp). Its statements are prepared once on this
// connection, on first use. Every failure leaves its methods as store_error
// (see pg_errors.hpp); after errc::unavailable the connection may be dead and
// the owner should destroy the backend, which never throws or waits on the
// server, and open a new one.
//
// Every call is armed on `watchdog` for `call_bound`: a call still waiting
// for the server then has its socket shut down and fails with
// errc::unavailable ("PostgreSQL did not answer within ..."). The watchdog
// must outlive the backend. `clock` tells the backend's current instant,
// which decides what has expired.
std::unique_ptr<backend> make_backend(std::unique_ptr<pqxx::connection> conn,
                                      std::shared_ptr<call_watchdog> watchdog,
                                      std::chrono::milliseconds call_bound, wall_clock clock);

}  // namespace artifacts::postgres
