#include "scenarios/requests.hpp"

#include <utility>

namespace artifacts::scenarios {

v1::Scope make_scope(std::string tenant, std::string user, std::string session, std::string task) {
  v1::Scope scope;
  scope.set_tenant(std::move(tenant));
  scope.set_user(std::move(user));
  scope.set_session(std::move(session));
  scope.set_task(std::move(task));
  return scope;
}

v1::PutRequest put_request(const v1::Scope& scope, std::string data, std::string ns,
                           std::string filename) {
  v1::PutRequest request;
  *request.mutable_scope() = scope;
  request.set_data(std::move(data));
  request.set_namespace_(std::move(ns));
  request.set_filename(std::move(filename));
  return request;
}

v1::Key make_key(const v1::Scope& scope, std::string id) {
  v1::Key key;
  *key.mutable_scope() = scope;
  key.set_id(std::move(id));
  return key;
}

v1::Key make_key(const v1::ArtifactRef& ref) {
  return make_key(ref.scope(), ref.id());
}

v1::ListRequest list_request(const v1::Scope& filter, uint32_t limit, std::string page_token) {
  v1::ListRequest request;
  *request.mutable_filter() = filter;
  request.set_limit(limit);
  request.set_page_token(std::move(page_token));
  return request;
}

std::string patterned_bytes(size_t size, uint32_t seed) {
  std::string bytes(size, '\0');
  uint32_t state = seed;
  for (auto& byte : bytes) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    byte = static_cast<char>(state);
  }
  return bytes;
}

}  // namespace artifacts::scenarios
