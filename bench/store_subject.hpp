// The store as a benchmark subject: every caller thread shares one client.
#pragma once

#include <memory>

#include <artifact_store/client.hpp>

#include "bench/subject.hpp"

namespace artifacts::bench {

// Callers that all use `shared`, a client of a local store or of a node, as
// many threads of one application would. `shared` must outlive the subject
// and its callers.
std::unique_ptr<subject> make_store_subject(client& shared, run_scope where);

}  // namespace artifacts::bench
