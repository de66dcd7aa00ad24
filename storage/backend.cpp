#include "storage/backend.hpp"

namespace artifacts {

std::vector<put_outcome> backend::put_each(
    const std::vector<new_artifact>& artifacts,
    const std::function<v1::ArtifactRef(const new_artifact&)>& store_one) {
  std::vector<put_outcome> outcomes;
  outcomes.reserve(artifacts.size());
  for (const auto& artifact : artifacts) {
    try {
      outcomes.push_back(put_outcome{store_one(artifact), std::nullopt});
    } catch (const store_error& e) {
      if (e.code() == errc::unavailable) {
        throw;  // The connection failed, not this put: the batch's outcome.
      }
      outcomes.push_back(put_outcome{std::nullopt, e});
    }
  }
  return outcomes;
}

v1::ArtifactRef put_one(backend& storage, const new_artifact& artifact) {
  auto outcomes = storage.put({artifact});
  auto& outcome = outcomes.at(0);
  if (outcome.error) {
    throw *outcome.error;
  }
  return std::move(*outcome.value);
}

std::vector<std::optional<std::string>> backend::get_batch(const std::vector<artifact_key>& keys) {
  std::vector<std::optional<std::string>> found;
  found.reserve(keys.size());
  for (const auto& key : keys) {
    found.push_back(get(key));
  }
  return found;
}

std::optional<stored_range> backend::read_range(const artifact_key& key, uint64_t offset,
                                                uint64_t length) {
  auto ref = get_ref(key);
  if (!ref) {
    return std::nullopt;
  }
  auto bytes = get(key);
  if (!bytes) {
    return std::nullopt;  // deleted between the two reads
  }
  stored_range range;
  range.size_bytes = bytes->size();
  range.sha256 = ref->sha256();
  if (offset < bytes->size()) {
    range.bytes = bytes->substr(offset, length);
  }
  return range;
}

}  // namespace artifacts
