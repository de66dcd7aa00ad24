// The store's streamed uploads over one backend (operations.hpp): checks,
// ids, expiry and the digest, written once for every driver.
#include <string>

#include <artifact_store/errc.hpp>

#include "storage/lifecycle.hpp"
#include "storage/operation_names.hpp"
#include "storage/operations.hpp"
#include "storage/quota.hpp"
#include "storage/sha256.hpp"
#include "storage/validation.hpp"

namespace artifacts {

namespace {

// Longer than any id the store makes, so that a caller's typo is answered
// as a missing upload, while a long string is refused before it goes
// further.
constexpr size_t max_upload_id_bytes = 64;

// An upload id from a caller: a string check_string accepts, naming an
// upload only when the store could have made it.
std::string_view checked_upload_id(std::string_view op, const std::string& id) {
  check_string(op, "upload_id", id, max_upload_id_bytes);
  if (!is_upload_id(id)) {
    throw upload_gone(op, id);
  }
  return id;
}

// The instant an upload touched at `now` expires.
micros upload_expiry(const storage_options& options, micros now) {
  return now + static_cast<micros>(options.upload_ttl.count()) * 1000;
}

void check_expected_digest(std::string_view op, const std::string& digest) {
  if (!digest.empty() && !is_sha256_hex(digest)) {
    throw store_error(errc::invalid_argument,
                      std::string(op) + ": sha256 must be 64 lowercase hex characters");
  }
}

v1::UploadStatus status_of(std::string_view id, const upload_record& record) {
  v1::UploadStatus status;
  status.set_upload_id(std::string(id));
  status.set_size_bytes(static_cast<int64_t>(record.size_bytes));
  *status.mutable_expires_at() = timestamp_of(record.expires_at);
  if (record.committed) {
    status.set_committed(true);
    *status.mutable_ref() = *record.committed;
  }
  return status;
}

}  // namespace

v1::UploadStatus operations::begin_upload(const v1::UploadBegin& request) {
  static constexpr std::string_view op = op_names::begin_upload;
  const auto& metadata = request.metadata();
  if (!metadata.data().empty()) {
    throw store_error(errc::invalid_argument,
                      "begin_upload: the metadata carries data; send the bytes as chunks");
  }
  check_expected_digest(op, metadata.sha256());
  // Everything a put would check, with a placeholder digest: the real one
  // is known at commit.
  static const std::string placeholder(64, '0');
  prepare_streamed(op, metadata, options_, placeholder, 0);

  const auto id = make_upload_id();
  const auto now = now_micros(options_);
  upload_record record;
  record.expires_at = upload_expiry(options_, now);
  const auto serialized = metadata.SerializeAsString();
  backend_->begin_upload(new_upload{id, metadata.scope().tenant(), serialized, record.expires_at});
  return status_of(id, record);
}

v1::UploadStatus operations::append(const v1::UploadChunk& chunk) {
  static constexpr std::string_view op = op_names::append;
  const auto id = checked_upload_id(op, chunk.upload_id());
  if (chunk.offset() < 0) {
    throw store_error(
        errc::invalid_argument,
        "append: offset is " + std::to_string(chunk.offset()) + "; it must not be negative");
  }
  const auto offset = static_cast<uint64_t>(chunk.offset());
  const auto& data = chunk.data();
  if (data.size() > options_.limits.max_payload_bytes) {
    throw store_error(errc::too_large, "append: the chunk is " + std::to_string(data.size()) +
                                           " bytes, over the largest payload of " +
                                           std::to_string(options_.limits.max_payload_bytes));
  }
  const auto largest = backend_->largest_artifact();
  if (offset > largest || data.size() > largest - offset) {
    throw store_error(errc::too_large, "append: the chunk would take upload " + std::string(id) +
                                           " past " + std::to_string(largest) +
                                           " bytes, the largest artifact this driver stores");
  }
  if (data.empty()) {
    // Nothing to append: where the upload stands, checked as a chunk is.
    auto record = backend_->find_upload(id);
    if (!record) {
      throw upload_gone(op, id);
    }
    if (record->committed) {
      throw upload_committed(op, id);
    }
    if (record->size_bytes != offset) {
      throw chunk_misplaced(id, offset, record->size_bytes);
    }
    return status_of(id, *record);
  }
  upload_record record;
  record.expires_at = upload_expiry(options_, now_micros(options_));
  record.size_bytes = backend_->append_upload(id, offset, data, record.expires_at);
  return status_of(id, record);
}

v1::UploadStatus operations::upload_status(const v1::UploadQuery& query) {
  static constexpr std::string_view op = op_names::upload_status;
  const auto id = checked_upload_id(op, query.upload_id());
  auto record = backend_->find_upload(id);
  if (!record) {
    throw upload_gone(op, id);
  }
  return status_of(id, *record);
}

v1::ArtifactRef operations::commit(const v1::UploadCommit& request) {
  static constexpr std::string_view op = op_names::commit;
  const auto id = checked_upload_id(op, request.upload_id());
  check_expected_digest(op, request.sha256());
  auto record = backend_->find_upload(id);
  if (!record) {
    throw upload_gone(op, id);
  }
  if (record->committed) {
    return *record->committed;
  }
  v1::PutRequest metadata;
  if (!metadata.ParseFromString(record->request)) {
    throw store_error(errc::internal, "commit: the stored request of upload " + std::string(id) +
                                          " does not parse");
  }
  sha256_stream hasher;
  backend_->read_upload(id, record->size_bytes,
                        [&](std::string_view piece) { hasher.update(piece); });
  const auto digest = hasher.finish();
  for (const auto* expected : {&request.sha256(), &metadata.sha256()}) {
    if (!expected->empty() && *expected != digest) {
      throw store_error(errc::invalid_argument,
                        "commit: the bytes of upload " + std::string(id) + " have sha256 " +
                            digest + ", not the expected " + *expected + "; the upload stays open");
    }
  }
  auto prepared = prepare_streamed(op, metadata, options_, digest, record->size_bytes);
  const new_artifact artifact{
      prepared.ref, {}, prepared.source_json, quota_of(options_, prepared.ref.scope().tenant())};
  auto stored =
      backend_->commit_upload(id, artifact, upload_expiry(options_, now_micros(options_)));
  if (stored.sha256() != digest) {
    throw commit_collision(prepared.ref);  // a backend should have refused it
  }
  return stored;
}

bool operations::abort_upload(const v1::UploadAbort& request) {
  static constexpr std::string_view op = op_names::abort_upload;
  check_string(op, "upload_id", request.upload_id(), max_upload_id_bytes);
  if (!is_upload_id(request.upload_id())) {
    return false;
  }
  return backend_->abort_upload(request.upload_id());
}

}  // namespace artifacts
