// The filesystem driver: "fs:DIR", for single-binary deployments.
#pragma once

#include <memory>
#include <string>

#include "storage/driver.hpp"

namespace artifacts {

// Opens (creating when missing) the store rooted at the folder `location`,
// relative to the working directory unless absolute.
//
// Each artifact is two files under ROOT/v1, in one folder per scope and
// namespace (see fs_layout.hpp): its bytes and a JSON sidecar holding its
// ref. Both are written to temporary files, synced and renamed into place,
// the sidecar last: an artifact exists exactly when its sidecar does, so a
// reader, or a store reopened after a crash, sees whole artifacts or none.
//
// Streamed uploads live beside the tree, one folder each under ROOT/uploads
// (fs_uploads.hpp), where no listing, usage, purge or sweep of artifacts
// looks. A commit gives an upload's data file the artifact's bytes name as
// a hard link: no byte is copied, whatever the size.
//
// One driver owns a root at a time: it holds an exclusive lock on ROOT/.lock
// until the driver and every backend it opened are gone. Opening removes
// what interrupted writes left behind (temporary files, bytes without a
// sidecar, empty folders).
//
// Throws store_error: unavailable when the root is in use by another store
// ("open: <root> is in use by another store") or cannot be created or
// written (no space, I/O error, permission denied); internal otherwise.
std::shared_ptr<driver> make_fs_driver(const storage_options& options, const std::string& location);

}  // namespace artifacts
