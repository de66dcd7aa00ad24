// Reads from a standby (storage_options::read_dsn): a driver whose backends
// answer reads of one artifact from a second database, a streaming standby
// of the store's, and everything else from the store's own.
#pragma once

#include <memory>

#include "storage/driver.hpp"

namespace artifacts {

// Wraps `primary` so that each backend it opens asks a backend of `standby`
// first for get, get_batch, read_range, get_ref and exists, and asks
// `primary` for what the standby does not hold. Content addressing makes a
// found artifact the right one, wherever it was found; only a miss can be
// stale (the standby has not replayed the put yet), so a miss is asked
// again of the primary before it is answered. A deleted artifact can still
// be found on a standby until it replays the delete.
//
// A standby that fails (cannot be reached, a statement cancelled by a
// recovery conflict, a timeout) is not an error: the read goes to the
// primary, and that backend leaves the standby alone for a few seconds
// before it connects to it again. Puts, removals, lists, usage, sweeps,
// purges and uploads go to the primary only.
std::shared_ptr<driver> make_standby_reads_driver(std::shared_ptr<driver> primary,
                                                  std::shared_ptr<driver> standby);

}  // namespace artifacts
