#include "storage/operations.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include <artifact_store/errc.hpp>
#include <artifact_store/ref_json.hpp>

#include "storage/artifact_id.hpp"
#include "storage/lifecycle.hpp"
#include "storage/operation_names.hpp"
#include "storage/page_token.hpp"
#include "storage/quota.hpp"
#include "storage/sha256.hpp"
#include "storage/validation.hpp"

namespace artifacts {

namespace {

// A key from a caller: the scope must be a full identity; an id with a NUL,
// bad UTF-8 or over the length any id can have is invalid. An id the store
// could not have made is valid input that simply names nothing.
artifact_key checked_key(std::string_view op, const v1::Key& key, const limits& bounds) {
  check_identity(op, key.scope(), bounds);
  check_string(op, "id", key.id(), bounds.max_namespace_bytes + 1 + 64);
  return artifact_key{key.scope(), namespace_of_id(key.id()), key.id()};
}

// A put found a row at its key: it is the same artifact only when the
// digests agree; otherwise two contents share one id.
void check_same_content(const prepared_put& prepared, const v1::ArtifactRef& stored) {
  if (stored.sha256() != prepared.ref.sha256()) {
    throw store_error(errc::hash_collision,
                      "put: id " + prepared.ref.id() +
                          " is already taken in this scope by content with another sha256");
  }
}

// Checks each of a batch's inputs with `check`. What passes goes to `passed`,
// in order; the returned vector holds, for each of those, the index of its
// input. What fails records its error in its own outcome.
template <class Input, class Checked, class Outcome, class Check>
std::vector<size_t> keep_valid(const std::vector<const Input*>& inputs,
                               std::vector<Checked>& passed, std::vector<Outcome>& outcomes,
                               Check check) {
  std::vector<size_t> slot_of;
  passed.reserve(inputs.size());
  slot_of.reserve(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    try {
      passed.push_back(check(*inputs[i]));
      slot_of.push_back(i);
    } catch (const store_error& e) {
      outcomes[i].error = e;
    }
  }
  return slot_of;
}

}  // namespace

store_error digest_mismatch() {
  return store_error(errc::invalid_argument,
                     "put: the supplied sha256 does not match the digest of the data");
}

namespace {

// prepare_put with the digest of the data when it is known, else null: the
// data is then hashed, after the other fields are checked, and a sha256 the
// request claims is checked against it.
// `size` is the artifact's size: the data's for a put, the bytes received
// for a streamed upload (whose request carries no data).
prepared_put prepare_sized(std::string_view op, const v1::PutRequest& request,
                           const storage_options& options, const std::string* known_digest,
                           uint64_t size) {
  const auto& bounds = options.limits;
  check_identity(op, request.scope(), bounds);
  if (request.data().size() > bounds.max_payload_bytes) {
    throw store_error(errc::too_large, "put: payload is " + std::to_string(request.data().size()) +
                                           " bytes, over the limit of " +
                                           std::to_string(bounds.max_payload_bytes));
  }
  check_string(op, "namespace", request.namespace_(), bounds.max_namespace_bytes);
  check_string(op, "mime_type", request.mime_type(), bounds.max_mime_type_bytes);
  check_string(op, "filename", request.filename(), bounds.max_filename_bytes);

  prepared_put out;
  if (request.has_source()) {
    check_source(op, request.source(), bounds);
    out.source_json = source_to_json(&request.source());
    if (out.source_json.size() > bounds.max_source_json_bytes) {
      throw store_error(errc::invalid_argument, "put: source is " +
                                                    std::to_string(out.source_json.size()) +
                                                    " bytes of JSON, over the limit of " +
                                                    std::to_string(bounds.max_source_json_bytes));
    }
    *out.ref.mutable_source() = request.source();
  } else {
    out.source_json = "null";
  }

  const auto ns = effective_namespace(request.namespace_());
  const auto now = now_micros(options);
  const auto expiry = requested_expiry(op, request, ns, options, now);

  std::string digest = known_digest != nullptr ? *known_digest : sha256_hex(request.data());
  if (known_digest == nullptr && !request.sha256().empty() && request.sha256() != digest) {
    throw digest_mismatch();
  }
  out.ref.set_id(options.make_id ? options.make_id(ns, digest) : standard_artifact_id(ns, digest));
  out.ref.set_namespace_(std::string(ns));
  out.ref.set_sha256(std::move(digest));
  out.ref.set_size_bytes(static_cast<int64_t>(size));
  out.ref.set_filename(request.filename());
  if (!request.mime_type().empty()) {
    out.ref.set_mime_type(request.mime_type());
  } else {
    out.ref.set_mime_type(std::string(request.text() ? default_text_mime_type : default_mime_type));
  }
  *out.ref.mutable_scope() = request.scope();
  *out.ref.mutable_created_at() = timestamp_of(now);
  set_expiry(out.ref, expiry);
  return out;
}

prepared_put prepare_with_digest(const v1::PutRequest& request, const storage_options& options,
                                 const std::string* known_digest) {
  return prepare_sized(op_names::put, request, options, known_digest, request.data().size());
}

}  // namespace

prepared_put prepare_put(const v1::PutRequest& request, const storage_options& options) {
  return prepare_with_digest(request, options, nullptr);
}

prepared_put prepare_put(const verified_put& put, const storage_options& options) {
  return prepare_with_digest(put.request(), options, &put.request().sha256());
}

prepared_put prepare_streamed(std::string_view op, const v1::PutRequest& metadata,
                              const storage_options& options, const std::string& digest,
                              uint64_t size) {
  return prepare_sized(op, metadata, options, &digest, size);
}

operations::operations(std::unique_ptr<backend> opened, const storage_options& options)
    : backend_(std::move(opened)), options_(options) {}

v1::ArtifactRef operations::put(const v1::PutRequest& request) {
  auto prepared = prepare_put(request, options_);
  auto stored = put_one(*backend_, new_artifact{prepared.ref, request.data(), prepared.source_json,
                                                quota_of(options_, request.scope().tenant())});
  check_same_content(prepared, stored);
  return stored;
}

std::vector<put_outcome> operations::put_batch(const std::vector<const verified_put*>& puts) {
  std::vector<put_outcome> outcomes(puts.size());
  // Requests that pass validation, and where their outcome goes.
  std::vector<prepared_put> prepared;
  const auto slot_of = keep_valid(puts, prepared, outcomes, [this](const verified_put& put) {
    return prepare_put(put, options_);
  });
  if (prepared.empty()) {
    return outcomes;
  }
  std::vector<new_artifact> artifacts;
  artifacts.reserve(prepared.size());
  for (size_t k = 0; k < prepared.size(); ++k) {
    artifacts.push_back(new_artifact{prepared[k].ref, puts[slot_of[k]]->request().data(),
                                     prepared[k].source_json,
                                     quota_of(options_, prepared[k].ref.scope().tenant())});
  }
  auto stored = backend_->put(artifacts);
  for (size_t k = 0; k < prepared.size(); ++k) {
    auto& outcome = outcomes[slot_of[k]];
    if (stored[k].error) {
      outcome.error = std::move(stored[k].error);
      continue;
    }
    try {
      check_same_content(prepared[k], *stored[k].value);
      outcome.value = std::move(stored[k].value);
    } catch (const store_error& e) {
      outcome.error = e;
    }
  }
  return outcomes;
}

v1::Blob operations::get(const v1::Key& key) {
  v1::Blob out;
  if (auto bytes = backend_->get(checked_key(op_names::get, key, options_.limits))) {
    out.set_found(true);
    out.set_data(std::move(*bytes));
  }
  return out;
}

v1::BlobRange operations::get_range(const v1::RangeRequest& request) {
  const auto key = checked_key(op_names::get_range, request.key(), options_.limits);
  if (request.offset() < 0) {
    throw store_error(
        errc::invalid_argument,
        "get_range: offset is " + std::to_string(request.offset()) + "; it must not be negative");
  }
  if (request.has_length() && request.length() < 0) {
    throw store_error(
        errc::invalid_argument,
        "get_range: length is " + std::to_string(request.length()) + "; it must not be negative");
  }
  // One answer is one message: never more than the largest payload.
  uint64_t length = options_.limits.max_payload_bytes;
  if (request.has_length()) {
    length = std::min<uint64_t>(length, static_cast<uint64_t>(request.length()));
  }
  v1::BlobRange out;
  auto range = backend_->read_range(key, static_cast<uint64_t>(request.offset()), length);
  if (!range) {
    return out;
  }
  out.set_found(true);
  out.set_data(std::move(range->bytes));
  out.set_offset(request.offset());
  out.set_size_bytes(static_cast<int64_t>(range->size_bytes));
  out.set_sha256(std::move(range->sha256));
  return out;
}

std::vector<outcome<v1::Blob>> operations::get_batch(const std::vector<const v1::Key*>& keys) {
  std::vector<outcome<v1::Blob>> outcomes(keys.size());
  std::vector<artifact_key> checked;
  const auto slot_of = keep_valid(keys, checked, outcomes, [this](const v1::Key& key) {
    return checked_key(op_names::get, key, options_.limits);
  });
  if (checked.empty()) {
    return outcomes;
  }
  auto found = backend_->get_batch(checked);
  for (size_t k = 0; k < checked.size(); ++k) {
    auto& blob = outcomes[slot_of[k]].value.emplace();
    if (found[k]) {
      blob.set_found(true);
      blob.set_data(std::move(*found[k]));
    }
  }
  return outcomes;
}

v1::RefResult operations::get_ref(const v1::Key& key) {
  v1::RefResult out;
  if (auto ref = backend_->get_ref(checked_key(op_names::get_ref, key, options_.limits))) {
    out.set_found(true);
    *out.mutable_ref() = std::move(*ref);
  }
  return out;
}

bool operations::exists(const v1::Key& key) {
  return backend_->exists(checked_key(op_names::exists, key, options_.limits));
}

bool operations::remove(const v1::Key& key) {
  return backend_->remove(checked_key(op_names::remove, key, options_.limits));
}

v1::Removed operations::sweep_batch() {
  auto removed = backend_->sweep(options_.delete_batch);
  v1::Removed out;
  out.set_deleted(removed.deleted);
  out.set_bytes(removed.bytes);
  if (removed.deleted < options_.delete_batch) {
    out.set_uploads(backend_->sweep_uploads(options_.delete_batch));
  }
  return out;
}

namespace {

// A purge or usage filter: a tenant, and strings check_filter accepts.
const v1::Scope& checked_scope_filter(std::string_view op, const v1::Scope& filter,
                                      const limits& bounds) {
  if (filter.tenant().empty()) {
    throw store_error(errc::identity_required, std::string(op) + ": tenant is required");
  }
  check_filter(op, filter, bounds);
  return filter;
}

}  // namespace

v1::Removed operations::purge_batch(const v1::PurgeRequest& request, bool& done) {
  const auto& filter = checked_scope_filter(op_names::purge, request.filter(), options_.limits);
  auto batch = backend_->purge(filter, options_.delete_batch);
  done = batch.rows < options_.delete_batch;
  v1::Removed out;
  out.set_deleted(batch.live.deleted);
  out.set_bytes(batch.live.bytes);
  return out;
}

v1::Usage operations::usage(const v1::UsageRequest& request) {
  const auto& filter = checked_scope_filter(op_names::usage, request.filter(), options_.limits);
  auto totals = backend_->usage(filter);
  v1::Usage out;
  out.set_count(totals.count);
  out.set_bytes(totals.bytes);
  return out;
}

v1::RefList operations::list(const v1::ListRequest& request) {
  const auto& bounds = options_.limits;
  check_filter(op_names::list, request.filter(), bounds);
  uint32_t limit = request.limit() == 0 ? bounds.default_list_limit : request.limit();
  if (limit > bounds.max_list_limit) {
    limit = bounds.max_list_limit;
  }
  v1::ListCursor cursor;
  const bool has_cursor = !request.page_token().empty();
  if (has_cursor) {
    cursor = decode_page_token(op_names::list, request.page_token());
  }
  // One row beyond the page tells whether another page follows.
  auto refs =
      backend_->list(list_query{request.filter(), has_cursor ? &cursor : nullptr, limit + 1});
  v1::RefList out;
  if (refs.size() > limit) {
    refs.resize(limit);
    out.set_next_page_token(encode_page_token(refs.back()));
  }
  out.mutable_refs()->Reserve(static_cast<int>(refs.size()));
  for (auto& ref : refs) {
    *out.add_refs() = std::move(ref);
  }
  return out;
}

}  // namespace artifacts
