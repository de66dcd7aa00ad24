#include "storage/backend.hpp"

namespace artifacts {

std::vector<put_outcome> backend::put_batch(const std::vector<new_artifact>& artifacts) {
  std::vector<put_outcome> outcomes;
  outcomes.reserve(artifacts.size());
  for (const auto& artifact : artifacts) {
    try {
      outcomes.push_back(put_outcome{put(artifact), std::nullopt});
    } catch (const store_error& e) {
      if (e.code() == errc::unavailable) {
        throw;  // The connection failed, not this put: the batch's outcome.
      }
      outcomes.push_back(put_outcome{std::nullopt, e});
    }
  }
  return outcomes;
}

std::vector<std::optional<std::string>> backend::get_batch(const std::vector<artifact_key>& keys) {
  std::vector<std::optional<std::string>> found;
  found.reserve(keys.size());
  for (const auto& key : keys) {
    found.push_back(get(key));
  }
  return found;
}

}  // namespace artifacts
