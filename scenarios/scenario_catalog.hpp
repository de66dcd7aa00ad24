// The scenarios of the conformance suite, grouped by subject. Each group
// lives in its own conformance_<group>.cpp.
#pragma once

#include <string>
#include <vector>

#include "scenarios/scenario_support.hpp"

namespace artifacts::scenarios {

// One named scenario: it makes the stores it needs through `make`.
struct scenario {
  std::string name;
  void (*run)(const store_factory& make);
};

// Storing and fetching: round trips, defaults, dedup, not-found, delete.
std::vector<scenario> basic_scenarios();

// Listing: filters, wildcards, order, pagination.
std::vector<scenario> listing_scenarios();

// Caller input: identity, string checks, limits, digests, collisions.
std::vector<scenario> validation_scenarios();

// Isolation between scopes and the scoped client.
std::vector<scenario> isolation_scenarios();

// Closing the store and what it leaves behind.
std::vector<scenario> lifecycle_scenarios();

// Timestamps, expiry and the sweeper, on a clock moved by hand.
std::vector<scenario> expiry_scenarios();

// Purge by scope, usage and quotas.
std::vector<scenario> purge_scenarios();

// Ranged reads.
std::vector<scenario> range_scenarios();

// Streamed uploads.
std::vector<scenario> upload_scenarios();

// Many threads at once.
std::vector<scenario> concurrency_scenarios();

}  // namespace artifacts::scenarios
