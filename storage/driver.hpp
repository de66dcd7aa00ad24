// A driver: what opens backends for one store.
#pragma once

#include <memory>
#include <string_view>

#include <artifact_store/storage_options.hpp>

#include "storage/backend.hpp"

namespace artifacts {

// One per store, shared by its workers (open_backend may be called from many
// threads at once). Migrations and connectivity checks happen when the driver
// is created (see open_driver.hpp), never lazily.
class driver {
 public:
  virtual ~driver() = default;

  // The driver's name: "postgres", "sqlite", "memory" or "fs".
  virtual std::string_view name() const noexcept = 0;

  // Opens one backend (one connection). Throws store_error: unavailable when
  // the backend cannot be reached within the connect timeout.
  virtual std::unique_ptr<backend> open_backend() = 0;

  // Whether a backend call may wait: on a database server, on the disk, on
  // another process's lock. Backends whose calls never wait (they only
  // touch memory, under locks held briefly) can share threads with other
  // work; the others need a thread each. True unless a driver knows better.
  virtual bool calls_may_wait() const noexcept { return true; }

  // The options this driver was opened with.
  virtual const storage_options& options() const noexcept = 0;
};

}  // namespace artifacts
