#include "actors/routing.hpp"

#include "storage/artifact_id.hpp"
#include "storage/sha256.hpp"

namespace artifacts {

namespace {

constexpr uint64_t fnv_offset_basis = 14695981039346656037ull;
constexpr uint64_t fnv_prime = 1099511628211ull;

void mix(uint64_t& hash, std::string_view bytes) noexcept {
  for (unsigned char byte : bytes) {
    hash ^= byte;
    hash *= fnv_prime;
  }
  for (size_t size = bytes.size(), i = 0; i < sizeof(size); ++i, size >>= 8) {
    hash ^= static_cast<unsigned char>(size & 0xff);
    hash *= fnv_prime;
  }
}

}  // namespace

uint64_t route_hash(const v1::Scope& scope, std::string_view id) noexcept {
  uint64_t hash = fnv_offset_basis;
  mix(hash, scope.tenant());
  mix(hash, scope.user());
  mix(hash, scope.session());
  mix(hash, scope.task());
  mix(hash, id);
  return hash;
}

std::string put_route_id(const v1::PutRequest& request, const storage_options& options) {
  auto ns = effective_namespace(request.namespace_());
  // A custom id rule is only trusted with a well-formed digest; anything else
  // is rejected by the worker anyway, so any route will do.
  if (options.make_id && is_sha256_hex(request.sha256())) {
    try {
      return options.make_id(ns, request.sha256());
    } catch (...) {
      // Fall through to the standard rule: routing must never fail.
    }
  }
  return standard_artifact_id(ns, request.sha256());
}

uint64_t route_of(const v1::Key& key) noexcept {
  return route_hash(key.scope(), key.id());
}

uint64_t route_of_upload(std::string_view upload_id) noexcept {
  static const v1::Scope no_scope;
  return route_hash(no_scope, upload_id);
}

uint64_t route_of(const v1::PutRequest& request, const storage_options& options) {
  return route_hash(request.scope(), put_route_id(request, options));
}

}  // namespace artifacts
