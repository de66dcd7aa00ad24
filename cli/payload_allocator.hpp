// How the command's allocator treats the large buffers payloads live in.
#pragma once

namespace artifacts::cli {

// Keeps freed payload buffers in the process for reuse instead of handing
// them back to the kernel at once. glibc serves a buffer of 1 MiB or more
// with its own mmap and trims freed heap memory eagerly; with many threads
// passing payloads along, every such buffer then costs fresh page faults and
// each unmap a TLB shootdown on every core. Measured here: 1 MiB gets
// through the memory driver at 8 callers went from 292 to 10 378/s, and from
// PostgreSQL from 205 to 683 MB/s. The price is memory held after a burst:
// up to 256 MiB of free heap stays with the process.
//
// What is held is bounded by keeping to two heaps (glibc's arenas). By
// default a thread that finds the heaps busy gets one of its own, up to
// eight per core, and each keeps what was freed in it: a node moving a
// 2 GiB artifact in 4 MiB chunks, freed on many threads, peaked at 119 MiB
// resident with a heap in use of 26 MiB; with two heaps at 91 MiB, and 1
// MiB gets at 8 callers as fast as before (7 100 to 7 800/s either way).
// Call once, first thing in main.
void keep_freed_payload_memory() noexcept;

}  // namespace artifacts::cli
