// Streamed uploads as every backend keeps them: what an upload is between
// its begin and its commit, and the errors its calls share.
//
// An upload belongs to the store, not to a connection: its bytes and its
// state live where the driver keeps its artifacts (tables beside
// artifacts_blobs, files beside the artifacts' tree, the memory driver's
// map), so it survives a restart wherever the artifacts do, and any
// backend of the store can continue it. Nothing of it is an artifact until
// commit: get, list, usage, purge and the sweep of artifacts never see it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <artifact_store/v1/artifacts.pb.h>
#include <artifact_store/errc.hpp>

#include "storage/lifecycle.hpp"

namespace artifacts {

// A new upload, with no bytes yet. `request` is the begin request (a
// PutRequest without data) serialised, opaque to the backend: the store
// reads it back at commit. `tenant` is kept apart so that a driver can
// find a tenant's uploads without parsing it.
struct new_upload {
  std::string_view id;
  std::string_view tenant;
  std::string_view request;
  micros expires_at;
};

// An upload as a backend reports it.
struct upload_record {
  std::string request;      // as begin_upload stored it
  uint64_t size_bytes = 0;  // bytes received: where the next chunk must start
  micros expires_at = 0;    // removed at this instant unless a chunk (or commit) comes first
  // The artifact it became, once committed. A committed upload keeps
  // answering with it until it expires, so that a caller who lost the
  // commit's answer can ask again.
  std::optional<v1::ArtifactRef> committed;
};

// The largest piece read_upload passes at once: the memory a commit holds
// for its upload's bytes, whatever their total.
inline constexpr uint64_t upload_piece_bytes = uint64_t{4} << 20;

// A new upload id: 32 lowercase hex characters from OpenSSL's random
// generator (128 bits), so that an id names one upload and cannot be
// guessed. Throws store_error(internal) when the generator fails.
std::string make_upload_id();

// Whether `id` has the form make_upload_id() gives.
bool is_upload_id(std::string_view id) noexcept;

// upload_not_found for upload `id`, from operation `op`.
store_error upload_gone(std::string_view op, std::string_view id);

// wrong_offset for a chunk at `offset` of upload `id`, whose bytes end at
// `expected`. The message ends with "expected offset <expected>", which
// expected_offset_in() reads back.
store_error chunk_misplaced(std::string_view id, uint64_t offset, uint64_t expected);

// The offset a wrong_offset message names, or nullopt for another message.
std::optional<uint64_t> expected_offset_in(std::string_view message) noexcept;

// hash_collision for a commit whose id is taken in its scope by content
// with another sha256.
store_error commit_collision(const v1::ArtifactRef& ref);

// invalid_argument for a chunk or an abort of upload `id`, already
// committed.
store_error upload_committed(std::string_view op, std::string_view id);

}  // namespace artifacts
