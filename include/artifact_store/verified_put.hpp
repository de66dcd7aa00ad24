// A put request whose digest this process computed itself.
#pragma once

#include <utility>

#include <caf/allowed_unsafe_message_type.hpp>

#include <artifact_store/v1/artifacts.pb.h>

namespace artifacts {

// A put request whose sha256 is the SHA-256 of its data, by construction:
// the only way to make one is to hash the data. A local store's supervisor
// routes it by that digest and its worker stores it without hashing the data
// again, where a plain put's digest must be verified (whoever sent it could
// be wrong). The type cannot be serialised, so no other node can send one:
// a remote put is always hashed by the node.
//
// artifacts::client sends its puts to a local store this way. A local
// actor that hashes its payloads anyway can too, through the supervisor's
// interface (store_supervisor_actor).
class verified_put {
 public:
  // Hashes request.data into request.sha256, replacing any digest the
  // request carried.
  static verified_put hashing(v1::PutRequest request);

  const v1::PutRequest& request() const noexcept { return request_; }

  // Hands the request over; the verified_put is left empty.
  v1::PutRequest release() noexcept { return std::move(request_); }

 private:
  explicit verified_put(v1::PutRequest request) : request_(std::move(request)) {}

  v1::PutRequest request_;
};

}  // namespace artifacts

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(artifacts::verified_put)
