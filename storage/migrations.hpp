// The forward-only schema migrations embedded into the binary at build time
// from migrations/<driver>/NNNN_slug.sql.
#pragma once

#include <set>
#include <string_view>
#include <vector>

namespace artifacts {

struct migration {
  int version;            // NNNN of the file name
  std::string_view name;  // the file name, e.g. "0001_init.sql"
  std::string_view sql;   // the file's text
};

// The migrations of `driver` ("postgres", "sqlite"), in ascending version
// order; empty for a driver without any.
std::vector<migration> embedded_migrations(std::string_view driver);

// What a database's schema_migrations says against what this binary knows.
struct schema_versions {
  std::vector<int> applied;  // recorded and known, ascending
  std::vector<int> pending;  // known and not recorded: the next open applies them
  std::vector<int> newer;    // recorded and unknown: written by a newer binary
};

// Sorts the versions `recorded` in a database of `driver` into the three.
schema_versions compare_versions(std::string_view driver, const std::set<int>& recorded);

// Throws store_error(internal), naming the versions and what to do, when a
// database of `driver` records a migration this binary does not know: its
// schema is newer, and serving it could write what a newer binary no
// longer expects. Returns when every recorded version is known.
void refuse_newer_schema(std::string_view driver, const std::set<int>& recorded);

}  // namespace artifacts
