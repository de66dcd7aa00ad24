#include "cli/payload_allocator.hpp"

#include <malloc.h>

namespace artifacts::cli {

void keep_freed_payload_memory() noexcept {
  // Buffers below 64 MiB come from the heap, and the heap gives memory back
  // only when 256 MiB at its top are free. mallopt fails only on an unknown
  // parameter; the defaults are then simply kept.
  (void)mallopt(M_MMAP_THRESHOLD, 64 << 20);
  (void)mallopt(M_TRIM_THRESHOLD, 256 << 20);
  (void)mallopt(M_ARENA_MAX, 2);
}

}  // namespace artifacts::cli
