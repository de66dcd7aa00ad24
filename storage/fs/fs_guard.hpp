// The filesystem driver's error boundary: every failure becomes a
// store_error, in one place.
#pragma once

#include <functional>
#include <string_view>

namespace artifacts::fs {

// Runs `body`. Throws store_error naming `op`, and nothing else:
// - unavailable for ENOSPC, EDQUOT, EIO, EACCES, EPERM and EROFS (the disk
//   is full, failing, or not ours to write);
// - internal for any other error, with its cause;
// - a store_error thrown by `body` passes through unchanged.
void guarded(std::string_view op, const std::function<void()>& body);

}  // namespace artifacts::fs
