// The store's operations over one backend: validation, defaults, digests, ids
// and the collision check, written once for every driver.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include <artifact_store/v1/artifacts.pb.h>
#include <artifact_store/storage_options.hpp>
#include <artifact_store/verified_put.hpp>

#include "storage/backend.hpp"

namespace artifacts {

// Owns one backend and applies the store's semantics on top of it. Used by
// one thread at a time, like its backend. Every method throws store_error
// (and only store_error): the caller-input codes (identity_required,
// invalid_argument, too_large), hash_collision, and whatever the backend
// raises (typically unavailable).
class operations {
 public:
  operations(std::unique_ptr<backend> opened, const storage_options& options);

  // Stores request.data under the request's scope and namespace and returns
  // its ref, created now, expiring as the request asks (requested_expiry).
  // Re-putting identical bytes returns the stored ref (the first writer's
  // metadata wins) with its expiry moved to the later of the two, no expiry
  // winning; a row that has expired is stored anew. Fails with hash_collision when the id is
  // taken in the scope by different content, and invalid_argument when
  // request.sha256 is set and is not the digest of the data.
  v1::ArtifactRef put(const v1::PutRequest& request);

  // Stores several put requests as put() would, in one backend batch, and
  // returns one outcome per request, in order: each request's own ref or its
  // own error (validation, hash_collision, a statement error). Their digests
  // are known (verified_put), so no payload is hashed here. Throws
  // store_error only when the connection fails (unavailable); repeating the
  // batch on a new backend is then safe. The requests are not owned and must
  // outlive the call.
  std::vector<put_outcome> put_batch(const std::vector<const verified_put*>& puts);

  // get() for several keys in one backend batch: one outcome per key, in
  // order, each the key's own blob or its own validation error. Throws
  // store_error when the backend fails the batch (typically unavailable).
  // The keys are not owned and must outlive the call.
  std::vector<outcome<v1::Blob>> get_batch(const std::vector<const v1::Key*>& keys);

  // found = false (not an error) when nothing is stored under key.
  v1::Blob get(const v1::Key& key);

  // Part of the artifact at request.key(): the bytes from request.offset()
  // on, request.length() of them (all when it is unset), clamped to the
  // artifact and to storage_options::max_payload_bytes, with the
  // artifact's size and digest. found = false when nothing is stored;
  // found with no bytes for an offset at or past the end. A negative
  // offset or length is invalid_argument, as is a key get would refuse.
  v1::BlobRange get_range(const v1::RangeRequest& request);
  v1::RefResult get_ref(const v1::Key& key);
  bool exists(const v1::Key& key);

  // Idempotent: false when nothing was stored under key.
  bool remove(const v1::Key& key);

  // One page of refs matching the filter (empty fields are wildcards).
  // invalid_argument for a page token this store did not issue.
  v1::RefList list(const v1::ListRequest& request);

  // Deletes one batch of expired artifacts (storage_options::delete_batch at
  // most), then, when none is left, a batch of expired uploads, and reports
  // them; a batch short of the bound in both means none of either is left.
  // A sweep pass repeats this until then, so that other requests go
  // between its batches.
  v1::Removed sweep_batch();

  // Deletes one batch (storage_options::delete_batch rows at most) of the
  // artifacts matching the request's filter, and reports the live ones it
  // deleted; `done` tells whether none is left. identity_required without
  // a tenant, invalid_argument for a filter field check_filter refuses.
  v1::Removed purge_batch(const v1::PurgeRequest& request, bool& done);

  // The count and bytes of the live artifacts matching the request's
  // filter. Errors as for purge_batch.
  v1::Usage usage(const v1::UsageRequest& request);

  // Streamed uploads (UploadBegin and the messages after it in the wire
  // schema). An upload id the store cannot have made names no upload
  // (upload_not_found); one with a NUL, bad UTF-8 or over 64 bytes is
  // invalid_argument.

  // Opens an upload for request.metadata(), checked as put checks its
  // request (its data must be empty): an id, no bytes, and the instant it
  // expires unless a chunk comes first (storage_options::upload_ttl).
  v1::UploadStatus begin_upload(const v1::UploadBegin& request);

  // Appends the chunk and answers where the upload now stands, its expiry
  // moved on. wrong_offset (naming the expected offset) when the chunk is
  // not at the upload's end; too_large when the chunk is over the largest
  // payload or takes the upload past the driver's largest artifact;
  // invalid_argument for a negative offset or a committed upload. An
  // empty chunk at the right offset appends nothing and answers.
  v1::UploadStatus append(const v1::UploadChunk& chunk);

  // Where the upload stands: its size, expiry, and its ref once committed.
  v1::UploadStatus upload_status(const v1::UploadQuery& query);

  // Hashes the upload's bytes (a few MiB in memory at a time), checks the
  // digests the caller expects (the commit's and the begin's sha256), and
  // stores them as put() would: the ref now stored at the key, which is
  // the stored one when the content was there first (the upload is then
  // discarded). Committing again answers the same ref. invalid_argument
  // when a digest differs (the upload stays open); hash_collision and
  // quota_exceeded as put.
  v1::ArtifactRef commit(const v1::UploadCommit& request);

  // Discards the upload; false when no such upload is open.
  bool abort_upload(const v1::UploadAbort& request);

  backend& underlying() noexcept { return *backend_; }

 private:
  std::unique_ptr<backend> backend_;
  const storage_options& options_;
};

// Checks and completes a put request without storing it: validates every
// field, computes (or verifies) the digest and the id, applies defaults.
// Exposed so that routing and drivers agree on the id of a request.
struct prepared_put {
  v1::ArtifactRef ref;
  std::string source_json;
};
prepared_put prepare_put(const v1::PutRequest& request, const storage_options& options);

// prepare_put for a request whose digest is known: the data is not hashed.
prepared_put prepare_put(const verified_put& put, const storage_options& options);

// prepare_put for a streamed upload: `metadata` carries no data, and the
// artifact is `size` bytes whose digest is `digest`. Errors name `op`.
prepared_put prepare_streamed(std::string_view op, const v1::PutRequest& metadata,
                              const storage_options& options, const std::string& digest,
                              uint64_t size);

// The error of a put whose sha256 is not the digest of its data
// (invalid_argument), for every place that finds one.
store_error digest_mismatch();

}  // namespace artifacts
