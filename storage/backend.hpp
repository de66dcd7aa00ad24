// The single-connection storage interface every driver implements.
//
// A backend is used by one thread at a time (the worker that owns it) and
// holds at most one connection. It stores exactly what it is given: inputs
// are already validated, defaulted and digested by `operations`, so a
// backend's only job is to persist and fetch rows faithfully and atomically.
//
// Every method throws store_error on failure and nothing else: a driver maps
// its own exceptions (libpqxx, SQLite, I/O) to store_error in one place. A
// lost or unusable connection is errc::unavailable; the owner may destroy the
// backend and open a fresh one from the driver.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <artifact_store/v1/artifacts.pb.h>
#include <artifact_store/errc.hpp>
#include <artifact_store/storage_options.hpp>

#include "storage/uploads.hpp"

namespace artifacts {

// Addresses one stored row: the scope, the namespace and the id.
struct artifact_key {
  const v1::Scope& scope;
  std::string_view ns;
  std::string_view id;
};

// A new artifact to store. `ref` is complete (id, digest, size, defaults
// applied); `source_json` is the JSON text of ref.source(), or "null".
// `quota`, when set, is the tenant's: the put fails with quota_exceeded
// rather than store a new artifact that takes the tenant's live artifacts
// over it (check_quota), atomically with respect to every other put of the
// store into that tenant, on every connection and every node.
struct new_artifact {
  const v1::ArtifactRef& ref;
  std::string_view bytes;
  std::string_view source_json;
  const tenant_quota* quota = nullptr;
};

// What one request of a batch came to: its value, or the error that request
// alone met. Exactly one of the two is set.
template <class T>
struct outcome {
  std::optional<T> value;
  std::optional<store_error> error;
};

// A put's outcome: the row now stored at its key.
using put_outcome = outcome<v1::ArtifactRef>;

// A page request over rows in the store's order (tenant, user, session, task,
// namespace, id; bytewise). Empty filter fields match anything.
struct list_query {
  const v1::Scope& filter;
  const v1::ListCursor* after;  // null: from the start; else strictly after it
  uint32_t limit;               // at most this many refs
};

// What a sweep or a purge removed: how many artifacts, and their bytes.
struct removal {
  uint64_t deleted = 0;
  uint64_t bytes = 0;
};

// Part of an artifact's bytes, with what a reader of parts needs to know
// about the whole.
struct stored_range {
  std::string bytes;        // the part asked for, clamped to the artifact
  uint64_t size_bytes = 0;  // the whole artifact's size
  std::string sha256;       // the whole artifact's digest
};

// The live artifacts matching a filter: how many, and their bytes.
struct usage_totals {
  uint64_t count = 0;
  uint64_t bytes = 0;
};

// One batch of a purge: the rows it deleted, live or expired, and the live
// artifacts among them (what the purge reports).
struct purge_batch {
  uint64_t rows = 0;
  removal live;
};

// Expiry: every read (get, get_batch, get_ref, exists, list) answers as if
// an artifact expired at the backend's clock's current instant were not
// there, whether or not its row is still stored; a put meeting such a row
// stores its artifact anew over it (see lifecycle.hpp, reput_of). Backends
// take the instant from the clock their driver was opened with.
class backend {
 public:
  virtual ~backend() = default;

  // Stores each artifact unless a live row exists at its key, and returns
  // one outcome per artifact, in the same order: the row now stored at its
  // key, the new one or the existing one (first writer wins, including when
  // a concurrent writer on another connection got there first). A live row
  // keeps everything but its expiry, which moves to the later of the two
  // (no expiry winning; reput_of); an expired row is replaced whole. The
  // artifact's ref.created_at is the put's current instant, against which
  // "expired" is judged. The caller compares digests. A single put is a batch of one
  // (put_one, below): there is no other way to write.
  //
  // A failure that belongs to one put (a statement error caused by its
  // values) is that put's outcome and leaves the others unaffected. A
  // failure of the connection itself throws store_error (unavailable) for
  // the batch as a whole: some puts may then be stored and others not, and
  // repeating the batch is safe, since a repeated put finds its own row.
  // Artifacts with the same key in one batch behave as consecutive puts: the
  // first is stored, the later ones answer its row. A driver may commit the
  // batch as one transaction, so that the puts share one durable write.
  virtual std::vector<put_outcome> put(const std::vector<new_artifact>& artifacts) = 0;

  // The bytes at `key`, or nullopt when no row is there.
  virtual std::optional<std::string> get(const artifact_key& key) = 0;

  // The bytes at each key, in the order of `keys`: nullopt where no row is.
  // A failure fails the batch as a whole, as it would fail get(). The
  // default runs get() for each in turn; a driver may fetch them in one
  // round trip.
  virtual std::vector<std::optional<std::string>> get_batch(const std::vector<artifact_key>& keys);

  // Up to `length` bytes of the artifact at `key` from `offset` (fewer
  // where it ends first; none for an offset at or past its end), with its
  // size and digest; nullopt when no row is there. The default reads the
  // ref and the whole payload and cuts; a driver reads only the range.
  virtual std::optional<stored_range> read_range(const artifact_key& key, uint64_t offset,
                                                 uint64_t length);

  // The ref at `key`, or nullopt when no row is there.
  virtual std::optional<v1::ArtifactRef> get_ref(const artifact_key& key) = 0;

  // Whether a row is at `key`.
  virtual bool exists(const artifact_key& key) = 0;

  // Removes the row at `key`; true when there was one.
  virtual bool remove(const artifact_key& key) = 0;

  // Up to query.limit refs matching the filter, after the cursor, in order.
  virtual std::vector<v1::ArtifactRef> list(const list_query& query) = 0;

  // Deletes up to `limit` artifacts expired at the current instant and
  // reports what it deleted; fewer than `limit` means none is left. Safe to
  // run on several backends, in several processes, at once: no two delete
  // the same row, and none waits for another's batch.
  virtual removal sweep(uint32_t limit) = 0;

  // The count and bytes of the artifacts matching `filter` (tenant set;
  // empty user, session or task match any) that are live now. Exact at the
  // moment it reads, whoever wrote the rows.
  virtual usage_totals usage(const v1::Scope& filter) = 0;

  // Deletes up to `limit` rows matching `filter` (tenant set), live or
  // expired; fewer than `limit` means none is left. Each row goes whole: a
  // reader sees the artifact or nothing.
  virtual purge_batch purge(const v1::Scope& filter, uint32_t limit) = 0;

  // Streamed uploads (uploads.hpp). `id` is an id the store made for the
  // upload; each call below sees an upload as gone (upload_not_found) once
  // it has expired at the current instant, whether or not it is still
  // stored.

  // Records a new upload with no bytes.
  virtual void begin_upload(const new_upload& upload) = 0;

  // Appends `bytes` to upload `id` at `offset`, which must be its size so
  // far, and moves its expiry to `expires_at`; returns the new size.
  // Atomic: of two chunks at one offset, one is appended and the other
  // fails. upload_not_found when no such upload is live; wrong_offset
  // (chunk_misplaced) when `offset` is not its size; invalid_argument
  // (upload_committed) when it is committed.
  virtual uint64_t append_upload(std::string_view id, uint64_t offset, std::string_view bytes,
                                 micros expires_at) = 0;

  // The upload `id`, or nullopt when no such upload is live.
  virtual std::optional<upload_record> find_upload(std::string_view id) = 0;

  // Passes the first `size` bytes of upload `id` to `consume`, in order,
  // in pieces of at most upload_piece_bytes. upload_not_found when no such
  // upload is live or it holds fewer bytes.
  virtual void read_upload(std::string_view id, uint64_t size,
                           const std::function<void(std::string_view)>& consume) = 0;

  // Stores the bytes of upload `id` as `artifact`, whose bytes are empty
  // and whose ref describes the upload's bytes (their size and digest),
  // by put()'s rules: first writer wins, a live row's expiry moves, an
  // expired row is replaced, the quota is checked. In the same atomic step
  // the upload becomes committed with the row now stored at the key, drops
  // its bytes, and is kept (to answer again) until `keep_until`. Returns
  // that row; an upload already committed answers its row and stores
  // nothing. upload_not_found when no such upload is live; wrong_offset
  // when its size is no longer artifact.ref.size_bytes() (a chunk came
  // after the caller read it); quota_exceeded as put; hash_collision
  // (commit_collision) when the row at the key holds content with another
  // sha256. Each failure leaves the upload open as it was.
  virtual v1::ArtifactRef commit_upload(std::string_view id, const new_artifact& artifact,
                                        micros keep_until) = 0;

  // Removes upload `id` and its bytes; false when no such upload is live.
  // A committed upload is removed too (its artifact stays).
  virtual bool abort_upload(std::string_view id) = 0;

  // Removes up to `limit` uploads expired at the current instant, with
  // their bytes, and returns how many; fewer than `limit` means none is
  // left. Safe on several backends at once, like sweep().
  virtual uint64_t sweep_uploads(uint32_t limit) = 0;

  // The largest artifact this driver stores: an upload cannot grow past it
  // (too_large).
  virtual uint64_t largest_artifact() const noexcept = 0;

 protected:
  // Stores the artifacts one after another with `store_one`, which stores
  // one as put() would or throws store_error, each to its own outcome; an
  // unavailable failure is the batch's and is thrown. For drivers that store
  // one artifact at a time, and for a batch whose shared transaction failed.
  static std::vector<put_outcome> put_each(
      const std::vector<new_artifact>& artifacts,
      const std::function<v1::ArtifactRef(const new_artifact&)>& store_one);
};

// Stores one artifact as a batch of one: the row now stored at its key, or
// that put's error thrown as store_error.
v1::ArtifactRef put_one(backend& storage, const new_artifact& artifact);

}  // namespace artifacts
