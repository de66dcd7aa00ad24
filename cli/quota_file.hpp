// The file `serve --quota-file` reads: quotas of particular tenants.
#pragma once

#include <map>
#include <string>

#include <caf/expected.hpp>

#include <artifact_store/storage_options.hpp>

namespace artifacts::cli {

// Reads a JSON object that maps each tenant to its quota, an object with
// "bytes" and "count" (either may be left out: no limit), whole numbers of
// at least zero (zero: no limit), for example
//   {"acme": {"bytes": 10737418240, "count": 100000}, "free-tier": {"count": 100}}
// invalid_argument naming the file and the entry for anything else.
caf::expected<std::map<std::string, tenant_quota, std::less<>>> read_quota_file(
    const std::string& path);

}  // namespace artifacts::cli
