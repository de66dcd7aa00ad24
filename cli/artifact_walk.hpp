// Visiting every live artifact of a store, for the commands that move or
// check them all (copy, verify).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <caf/error.hpp>

#include <artifact_store/client.hpp>

namespace artifacts::cli {

// Calls `visit` with the ref of every live artifact of `store` whose tenant
// is one of `tenants` (of every tenant when `tenants` is empty), in the
// store's listing order, one page of refs in memory at a time. Stops at the
// first error of the store's listing or of `visit`, and returns it; none
// when every artifact was visited. An artifact put or deleted meanwhile may
// or may not be visited.
caf::error for_each_artifact(client& store, const std::vector<std::string>& tenants,
                             const std::function<caf::error(const v1::ArtifactRef&)>& visit);

// The key of the artifact `ref` describes.
v1::Key key_of(const v1::ArtifactRef& ref);

// "tenant/user/session[/task]/id", to name an artifact in an error.
std::string artifact_name(const v1::ArtifactRef& ref);

}  // namespace artifacts::cli
