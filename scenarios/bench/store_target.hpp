// The store as a benchmark target: every caller thread shares one client.
#pragma once

#include <memory>

#include "actors/client.hpp"
#include "scenarios/bench/target.hpp"

namespace artifacts::bench {

// Callers that all use `shared`, a client of a local store or of a node, as
// many threads of one application would. `shared` must outlive the target
// and its callers.
std::unique_ptr<target> make_store_target(client& shared, run_scope where);

}  // namespace artifacts::bench
