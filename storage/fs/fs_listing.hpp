// Listing a filesystem store in the store's order.
#pragma once

#include <vector>

#include "storage/backend.hpp"

namespace artifacts::fs {

// Up to query.limit refs below the tree folder `folder` that match the
// filter and come after the cursor, ordered by tenant, user, session, task,
// namespace and id, bytewise, like every other driver. Folder names are
// decoded to their values and sorted per level; a non-empty filter field
// goes straight to its folder. Artifacts without a parsable sidecar are
// skipped. Throws std::system_error, or store_error(internal) for a sidecar
// that describes another artifact.
std::vector<v1::ArtifactRef> list_refs(int folder, const list_query& query);

}  // namespace artifacts::fs
