// Listing a filesystem store in the store's order.
#pragma once

#include <functional>
#include <vector>

#include "storage/backend.hpp"

namespace artifacts::fs {

// Which refs a listing takes; it walks past the others.
using ref_filter = std::function<bool(const v1::ArtifactRef&)>;

// Up to query.limit refs below the tree folder `folder` that match the
// filter, pass `take` and come after the cursor, ordered by tenant, user, session, task,
// namespace and id, bytewise, like every other driver. Folder names are
// decoded to their values and sorted per level; a non-empty filter field
// goes straight to its folder. Artifacts without a parsable sidecar are
// skipped. Throws std::system_error, or store_error(internal) for a sidecar
// that describes another artifact.
std::vector<v1::ArtifactRef> list_refs(int folder, const list_query& query, const ref_filter& take);

}  // namespace artifacts::fs
