#include "storage/artifact_id.hpp"

namespace artifacts {

std::string_view effective_namespace(std::string_view ns) noexcept {
  return ns.empty() ? default_namespace : ns;
}

std::string standard_artifact_id(std::string_view ns, std::string_view sha256_hex) {
  std::string id;
  id.reserve(ns.size() + 1 + id_digest_chars);
  id.append(ns).push_back('_');
  id.append(sha256_hex.substr(0, id_digest_chars));
  return id;
}

std::string_view namespace_of_id(std::string_view id) noexcept {
  auto pos = id.rfind('_');
  return pos == std::string_view::npos ? std::string_view{} : id.substr(0, pos);
}

}  // namespace artifacts
