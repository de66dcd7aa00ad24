#include <string>

#include <artifact_store/errc.hpp>

#include "storage/migrations.hpp"

namespace artifacts {

schema_versions compare_versions(std::string_view driver, const std::set<int>& recorded) {
  schema_versions out;
  std::set<int> known;
  for (const auto& step : embedded_migrations(driver)) {
    known.insert(step.version);
    (recorded.count(step.version) != 0 ? out.applied : out.pending).push_back(step.version);
  }
  for (int version : recorded) {
    if (known.count(version) == 0) {
      out.newer.push_back(version);
    }
  }
  return out;
}

void refuse_newer_schema(std::string_view driver, const std::set<int>& recorded) {
  const auto versions = compare_versions(driver, recorded);
  if (versions.newer.empty()) {
    return;
  }
  const auto known = embedded_migrations(driver);
  throw store_error(errc::internal,
                    "open: the database's schema is at version " +
                        std::to_string(versions.newer.back()) + ", newer than version " +
                        std::to_string(known.empty() ? 0 : known.back().version) +
                        ", the latest this artifact-store knows; run a newer artifact-store "
                        "against it (see docs/compatibility.md)");
}

}  // namespace artifacts
