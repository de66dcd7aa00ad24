#include "scenarios/scenario_support.hpp"

#include <google/protobuf/util/message_differencer.h>

#include "storage/sha256.hpp"

namespace artifacts::scenarios {

namespace {

// A listing that needs more pages than this is not ending.
constexpr size_t max_pages = 100000;

}  // namespace

v1::Scope make_scope(std::string tenant, std::string user, std::string session, std::string task) {
  v1::Scope scope;
  scope.set_tenant(std::move(tenant));
  scope.set_user(std::move(user));
  scope.set_session(std::move(session));
  scope.set_task(std::move(task));
  return scope;
}

v1::PutRequest put_request(const v1::Scope& scope, std::string data, std::string ns) {
  v1::PutRequest request;
  *request.mutable_scope() = scope;
  request.set_data(std::move(data));
  request.set_namespace_(std::move(ns));
  return request;
}

v1::Key make_key(const v1::Scope& scope, std::string id) {
  v1::Key key;
  *key.mutable_scope() = scope;
  key.set_id(std::move(id));
  return key;
}

v1::ListRequest list_request(const v1::Scope& filter, uint32_t limit, std::string page_token) {
  v1::ListRequest request;
  *request.mutable_filter() = filter;
  request.set_limit(limit);
  request.set_page_token(std::move(page_token));
  return request;
}

std::vector<v1::ArtifactRef> list_all(client& store, const v1::Scope& filter, uint32_t page_limit) {
  std::vector<v1::ArtifactRef> refs;
  std::string token;
  for (size_t page = 0; page < max_pages; ++page) {
    auto listed = REQUIRE_VALUE(store.list(list_request(filter, page_limit, token)));
    for (auto& ref : *listed.mutable_refs()) {
      refs.push_back(std::move(ref));
    }
    if (listed.next_page_token().empty()) {
      return refs;
    }
    token = listed.next_page_token();
  }
  FAIL("list: the listing did not end after " << max_pages << " pages");
  return refs;
}

bool same(const google::protobuf::Message& a, const google::protobuf::Message& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

std::string sha256_of(const std::string& bytes) {
  return sha256_hex(bytes);
}

}  // namespace artifacts::scenarios
