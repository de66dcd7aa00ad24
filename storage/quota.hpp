// Per-tenant quotas: which applies, and whether a put fits.
#pragma once

#include <cstdint>
#include <string_view>

#include <artifact_store/storage_options.hpp>

#include "storage/backend.hpp"

namespace artifacts {

// The quota of `tenant` (its own, else the default), or null when it has
// no limit.
const tenant_quota* quota_of(const storage_options& options, std::string_view tenant);

// Throws store_error(quota_exceeded) when one more artifact of `size` bytes
// takes `used` (the tenant's live artifacts) over `quota`; the message says
// what is used and what the limit is.
void check_quota(const tenant_quota& quota, const usage_totals& used, uint64_t size,
                 std::string_view tenant);

// A filter of the whole of `tenant`.
v1::Scope tenant_filter(std::string_view tenant);

}  // namespace artifacts
