// The forward-only schema migrations embedded into the binary at build time
// from migrations/<driver>/NNNN_slug.sql.
#pragma once

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

}  // namespace artifacts
