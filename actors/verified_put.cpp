#include <artifact_store/verified_put.hpp>

#include <utility>

#include "storage/sha256.hpp"

namespace artifacts {

verified_put verified_put::hashing(v1::PutRequest request) {
  request.set_sha256(sha256_hex(request.data()));
  return verified_put{std::move(request)};
}

}  // namespace artifacts
