// Cleaning up after interrupted writes.
#pragma once

namespace artifacts::fs {

// Walks the tree below `folder` and removes what a crash can leave behind:
// temporary files, bytes files without their sidecar (a put stopped before
// its commit point), sidecars without their bytes, and folders left empty.
// Complete artifacts are untouched. Only safe while no backend writes the
// tree, which the root lock guarantees at open. Throws std::system_error.
void sweep(int folder);

}  // namespace artifacts::fs
