// What open_store needs.
#pragma once

#include <chrono>
#include <cstddef>

#include "storage/storage_options.hpp"

namespace artifacts {

struct store_config {
  // The driver, its DSN, input limits and backend timeouts.
  storage_options storage;
  // Number of workers, each owning one backend (one connection).
  size_t pool_size = 4;
  // Bound on one request, from the caller's send to its reply.
  std::chrono::milliseconds request_timeout{30000};
  // Bound on close: how long to wait for workers busy in a backend call.
  std::chrono::milliseconds close_timeout{30000};
  // Bound on requests accepted and not yet answered, over the whole store.
  // Beyond it a request fails at once with unavailable ("overloaded") instead
  // of waiting in a worker's mailbox, which CAF does not bound.
  size_t max_in_flight = 4096;
  // Bound on the payload bytes of accepted, unanswered puts. A put that
  // finds the store idle is accepted whatever its size.
  size_t max_in_flight_bytes = size_t{1} << 30;  // 1 GiB
};

}  // namespace artifacts
