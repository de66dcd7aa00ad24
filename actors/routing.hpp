// How the supervisor picks the worker that serves a request.
//
// Requests for one artifact must always meet the same worker, so that
// identical concurrent puts are serialised there. The route of a request is a
// hash of its scope and artifact id; for a put, the id is the one the put will
// store under, derived from the namespace and the supplied digest.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <artifact_store/v1/artifacts.pb.h>
#include <artifact_store/storage_options.hpp>

namespace artifacts {

// FNV-1a (64 bit) over tenant, user, session, task and id. Each field is
// followed by its length, so moving bytes between fields changes the hash.
// Cheap: proportional to the size of the key, never to a payload.
uint64_t route_hash(const v1::Scope& scope, std::string_view id) noexcept;

// The id a put of `request` will be stored under, computed from the supplied
// request.sha256 with the store's id rule (`options.make_id` when set).
// Precondition: request.sha256 is not empty. A malformed digest still yields
// some id: the worker that receives the put rejects the digest.
std::string put_route_id(const v1::PutRequest& request, const storage_options& options);

// The route of a keyed request and of a put with a supplied digest.
uint64_t route_of(const v1::Key& key) noexcept;
uint64_t route_of(const v1::PutRequest& request, const storage_options& options);

// The route of the requests that continue an upload: a hash of its id, so
// that its chunks meet one worker in the order they were sent.
uint64_t route_of_upload(std::string_view upload_id) noexcept;

}  // namespace artifacts
