// Building the store's request messages in tests: scopes, puts, keys, lists.
// One set for the scenarios that go through a client and for the tests that
// drive a storage driver directly.
#pragma once

#include <cstdint>
#include <string>

#include <artifact_store/v1/artifacts.pb.h>

namespace artifacts::scenarios {

// A scope of the four given fields.
v1::Scope make_scope(std::string tenant, std::string user, std::string session,
                     std::string task = {});

// A put of `data` under `scope`, in namespace `ns` and with `filename`
// (both empty: the store's defaults); every other field left to its default.
v1::PutRequest put_request(const v1::Scope& scope, std::string data, std::string ns = {},
                           std::string filename = {});

// The key of artifact `id` in `scope`.
v1::Key make_key(const v1::Scope& scope, std::string id);

// The key a stored artifact is found under: its ref's scope and id.
v1::Key make_key(const v1::ArtifactRef& ref);

// `size` bytes that differ from position to position (a xorshift sequence
// from `seed`), so that bytes stored or read at the wrong place show.
std::string patterned_bytes(size_t size, uint32_t seed = 2463534242u);

// A listing of the refs matching `filter`, `limit` at a time (0: the store's
// default), from `page_token` on (empty: from the start).
v1::ListRequest list_request(const v1::Scope& filter, uint32_t limit = 0,
                             std::string page_token = {});

}  // namespace artifacts::scenarios
