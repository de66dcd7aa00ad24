// The in-memory driver ("memory:"): the reference behaviour and the floor for
// tests and embedding. Every backend of one driver shares one guarded map, so
// a pool of workers sees one store. Nothing survives the driver.
#pragma once

#include <memory>

#include "storage/driver.hpp"

namespace artifacts {

// Opens an empty in-memory store. Never fails.
std::shared_ptr<driver> make_memory_driver(const storage_options& options);

}  // namespace artifacts
