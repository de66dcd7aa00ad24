#include "storage/fs/fs_sidecar.hpp"

#include <google/protobuf/util/json_util.h>

#include <artifact_store/errc.hpp>
#include <artifact_store/ref_json.hpp>

#include "storage/fs/fs_io.hpp"
#include "storage/fs/fs_layout.hpp"

namespace artifacts::fs {

namespace {

bool same_scope(const v1::Scope& a, const v1::Scope& b) noexcept {
  return a.tenant() == b.tenant() && a.user() == b.user() && a.session() == b.session() &&
         a.task() == b.task();
}

}  // namespace

std::string sidecar_json(std::string_view op, const v1::ArtifactRef& ref) {
  auto json = ref_to_json(ref);
  if (json.empty()) {
    throw store_error(errc::internal,
                      std::string(op) + ": cannot render the ref of " + ref.id() + " as JSON");
  }
  return json;
}

std::optional<v1::ArtifactRef> parse_sidecar(std::string_view json) {
  v1::ArtifactRef ref;
  if (!google::protobuf::util::JsonStringToMessage(
           google::protobuf::StringPiece(json.data(), json.size()), &ref)
           .ok()) {
    return std::nullopt;
  }
  // The JSON parser lets NUL bytes into strings, raw or escaped; the names
  // of a damaged tree can decode to one too ("%00").
  const auto& scope = ref.scope();
  for (const std::string* field : {&scope.tenant(), &scope.user(), &scope.session(), &scope.task(),
                                   &ref.namespace_(), &ref.id()}) {
    if (field->find('\0') != std::string::npos) {
      return std::nullopt;
    }
  }
  return ref;
}

std::optional<v1::ArtifactRef> read_sidecar(std::string_view op, int folder,
                                            const std::string& stem, const v1::Scope& scope,
                                            std::string_view ns, std::string_view id) {
  auto json = read_file(folder, stem + std::string(ref_suffix));
  if (!json) {
    return std::nullopt;
  }
  auto parsed = parse_sidecar(*json);
  if (!parsed) {
    return std::nullopt;
  }
  auto& ref = *parsed;
  if (ref.id() != id || ref.namespace_() != ns || !same_scope(ref.scope(), scope)) {
    throw store_error(errc::internal, std::string(op) + ": the stored ref of " + std::string(id) +
                                          " describes another artifact (" + ref.id() + ")");
  }
  return ref;
}

}  // namespace artifacts::fs
