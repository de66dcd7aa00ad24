// Choosing and opening the driver for a DSN.
#pragma once

#include <memory>

#include <artifact_store/storage_options.hpp>

#include "storage/driver.hpp"

namespace artifacts {

// Parses options.dsn, opens the matching driver, checks that its backend is
// reachable and applies pending migrations. On success the store is ready to
// serve. Throws store_error: invalid_argument (empty or malformed DSN),
// unknown_driver (unsupported scheme), unavailable (server unreachable),
// internal (a failed migration).
std::shared_ptr<driver> open_driver(const storage_options& options);

}  // namespace artifacts
