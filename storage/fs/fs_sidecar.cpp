#include "storage/fs/fs_sidecar.hpp"

#include <google/protobuf/util/json_util.h>

#include "messages/ref_json.hpp"
#include "storage/errc.hpp"
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

std::optional<v1::ArtifactRef> read_sidecar(std::string_view op, int folder,
                                            const std::string& stem, const v1::Scope& scope,
                                            std::string_view ns, std::string_view id) {
  auto json = read_file(folder, stem + std::string(ref_suffix));
  if (!json) {
    return std::nullopt;
  }
  v1::ArtifactRef ref;
  if (!google::protobuf::util::JsonStringToMessage(*json, &ref).ok()) {
    return std::nullopt;
  }
  if (ref.id() != id || ref.namespace_() != ns || !same_scope(ref.scope(), scope)) {
    throw store_error(errc::internal, std::string(op) + ": the stored ref of " + std::string(id) +
                                          " describes another artifact (" + ref.id() + ")");
  }
  return ref;
}

}  // namespace artifacts::fs
