#include "scenarios/scenario_support.hpp"

#include <google/protobuf/util/message_differencer.h>

#include "storage/sha256.hpp"

namespace artifacts::scenarios {

namespace {

// A listing that needs more pages than this is not ending.
constexpr size_t max_pages = 100000;

}  // namespace

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
