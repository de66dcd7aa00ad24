// Counting what a store leaves behind in this process.
#pragma once

#include <cstddef>

namespace artifacts::scenarios {

// The number of threads of this process right now (entries of
// /proc/self/task); 0 when it cannot be read.
size_t live_threads();

// How far `now` is above `before`; 0 when it is not above.
size_t excess(size_t now, size_t before);

}  // namespace artifacts::scenarios
