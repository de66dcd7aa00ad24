// Counting what a store leaves behind in this process.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace artifacts::scenarios {

// The number of threads of this process right now (entries of
// /proc/self/task); 0 when it cannot be read.
size_t live_threads();

// The number of file descriptors this process has open right now (entries
// of /proc/self/fd, not counting the one used to read it); 0 when it cannot
// be read.
size_t open_descriptors();

// How far `now` is above `before`; 0 when it is not above.
size_t excess(size_t now, size_t before);

// What this process holds that a closed store must give back.
struct footprint {
  size_t threads = 0;
  size_t descriptors = 0;
};

// The footprint right now.
footprint current_footprint();

// Waits, polling, until the footprint is no larger than `before` in either
// count, or `bound` has passed, and returns the last footprint seen.
// Threads of stopped actors and backends end shortly after the close that
// stopped them, not at once: this is that wait, not a tolerance.
footprint footprint_back_to(const footprint& before,
                            std::chrono::milliseconds bound = std::chrono::seconds{5});

// "threads T, descriptors D", for test messages.
std::string to_string(const footprint& counts);

}  // namespace artifacts::scenarios
