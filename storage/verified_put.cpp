#include <artifact_store/verified_put.hpp>

#include <string>
#include <utility>

#include "storage/sha256.hpp"

namespace artifacts {

verified_put verified_put::hashing(v1::PutRequest request) {
  request.set_sha256(sha256_hex(request.data()));
  return verified_put{std::move(request)};
}

std::optional<verified_put> verified_put::checking(v1::PutRequest request) {
  std::string digest = sha256_hex(request.data());
  if (!request.sha256().empty() && request.sha256() != digest) {
    return std::nullopt;
  }
  request.set_sha256(std::move(digest));
  return verified_put{std::move(request)};
}

}  // namespace artifacts
