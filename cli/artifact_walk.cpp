#include "cli/artifact_walk.hpp"

namespace artifacts::cli {

namespace {

// Refs asked for per page: the store's default page.
constexpr uint32_t page_size = 1000;

}  // namespace

caf::error for_each_artifact(client& store, const std::vector<std::string>& tenants,
                             const std::function<caf::error(const v1::ArtifactRef&)>& visit) {
  // An empty tenant filter is the wildcard: every tenant.
  const std::vector<std::string> filters = tenants.empty() ? std::vector<std::string>{""} : tenants;
  for (const auto& tenant : filters) {
    v1::ListRequest request;
    request.mutable_filter()->set_tenant(tenant);
    request.set_limit(page_size);
    for (;;) {
      auto page = store.list(request);
      if (!page) {
        return std::move(page.error());
      }
      for (const auto& ref : page->refs()) {
        if (auto err = visit(ref)) {
          return err;
        }
      }
      if (page->next_page_token().empty()) {
        break;
      }
      request.set_page_token(page->next_page_token());
    }
  }
  return caf::none;
}

v1::Key key_of(const v1::ArtifactRef& ref) {
  v1::Key key;
  *key.mutable_scope() = ref.scope();
  key.set_id(ref.id());
  return key;
}

std::string artifact_name(const v1::ArtifactRef& ref) {
  const auto& scope = ref.scope();
  return scope.tenant() + "/" + scope.user() + "/" + scope.session() +
         (scope.task().empty() ? "" : "/" + scope.task()) + "/" + ref.id();
}

}  // namespace artifacts::cli
