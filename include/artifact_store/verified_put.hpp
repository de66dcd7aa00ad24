// A put request whose digest this process computed itself.
#pragma once

#include <optional>
#include <utility>

#include <artifact_store/v1/artifacts.pb.h>

namespace artifacts {

// A put request whose sha256 is the SHA-256 of its data, by construction:
// the only ways to make one hash the data. It is the one form in which "the
// digest is known" travels, from the hashing to the statement: a local
// store's supervisor routes it by that digest and its worker stores it
// without hashing the data again. A plain put's digest is a claim, checked
// where the put enters a worker. The type cannot be serialised (see
// store_actor.hpp), so no other node can send one: a remote put is always
// hashed by the node.
//
// artifacts::client sends its puts to a local store this way. A local
// actor that hashes its payloads anyway can too, through the supervisor's
// interface (store_supervisor_actor).
class verified_put {
 public:
  // Hashes request.data into request.sha256, replacing any digest the
  // request carried.
  static verified_put hashing(v1::PutRequest request);

  // Hashes request.data and keeps the request when its sha256 is empty (it
  // is then filled in) or is that digest. nullopt when the request claimed
  // another digest, a malformed one included: the request is dropped, and
  // the caller answers invalid_argument.
  static std::optional<verified_put> checking(v1::PutRequest request);

  const v1::PutRequest& request() const noexcept { return request_; }

  // Hands the request over; the verified_put is left empty.
  v1::PutRequest release() noexcept { return std::move(request_); }

 private:
  explicit verified_put(v1::PutRequest request) : request_(std::move(request)) {}

  v1::PutRequest request_;
};

}  // namespace artifacts
