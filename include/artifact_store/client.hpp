// The blocking facade over a store for code that is not an actor.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include <artifact_store/store.hpp>
#include <artifact_store/store_actor.hpp>

namespace artifacts {

// How client::read reads an artifact in parts.
struct read_options {
  // The bytes each range asks for; a store answers at most its largest
  // payload, and the client then asks for the rest of the part.
  size_t part_bytes = size_t{4} << 20;
  // The ranges requested at once (at least 1): while one is consumed, the
  // next ones are on their way.
  size_t parts_in_flight = 3;
};

// Where client::write takes an artifact's bytes from: it fills `buffer`
// with up to `capacity` bytes and answers how many (0 at the end), or
// fails, which stops the write.
using byte_source = std::function<caf::expected<size_t>(char* buffer, size_t capacity)>;

// How client::write streams an artifact to the store.
struct write_options {
  // The bytes of each chunk; at most the store's largest payload.
  size_t part_bytes = size_t{4} << 20;
  // The chunks on their way at once (at least 1). The writer keeps each
  // in memory until the store has it: about parts_in_flight × part_bytes.
  size_t parts_in_flight = 3;
  // How long the writer goes on asking a store it lost (a dropped
  // connection, a restarting node) where the upload stands, to resume it
  // there, before it fails.
  std::chrono::milliseconds resume_for{std::chrono::seconds{30}};
  // An upload to continue, begun by an earlier writer that stopped: the
  // bytes it already holds are read from the source again (to hash them)
  // and not sent. Empty: a new upload.
  std::string upload_id;
  // Told the upload's id once it is begun, so that the caller can keep it
  // to resume after a crash.
  std::function<void(const std::string& upload_id)> begun;
  // Told the bytes the store holds after each chunk it acknowledged.
  std::function<void(uint64_t stored)> progress;
};

// A blocking client of a local or remote store, safe to share across any
// number of threads. Every call returns the result or a caf::error in the
// artifacts category (see <artifact_store/error.hpp>), and every call is bounded by the
// request timeout: none waits longer, whatever the store or the network does.
//
// A client of a local store fails calls with store_closed at once, without a
// round trip, after the store's close has begun. A client whose store goes
// away (a stopped supervisor, a lost node) fails its outstanding calls with
// unavailable at once rather than at their timeout. A request with a string
// field that is not valid UTF-8 fails with invalid_argument before it is
// sent: no node could read it.
//
// The client must be destroyed before its actor system.
class client {
 public:
  // A client of a local store, bounded by the store's request timeout.
  client(caf::actor_system& sys, const store& local);

  // A client of any store handle (for example a remote one). `closed` may be
  // null when no local close can be observed.
  client(caf::actor_system& sys, store_actor store, std::chrono::milliseconds request_timeout,
         closed_flag closed = nullptr);

  // Obtains a new handle of the same store, for example by connecting to
  // its node again (see connect_store).
  using reconnector = std::function<caf::expected<store_actor>()>;

  // A client of a remote store that outlives the loss of its connection:
  // when a call fails because the store went away (unavailable, "the store
  // is unreachable"), it obtains a new handle from `reconnect` and sends the
  // call again. Only calls whose repetition is safe are repeated: put,
  // put_text (idempotent: a repeat finds the first one's artifact), get,
  // get_ref, exists, list, usage and sweep; never remove or purge, whose
  // repetition could report that nothing was deleted when the lost call had
  // deleted it. A call is
  // sent again at most three times, and only while less than the request
  // timeout has passed since it was first sent; each send has a request
  // timeout of its own. `reconnect` is called again (for up to a second)
  // while it returns the lost handle, as CAF does until it has seen that
  // handle go down. Threads whose calls fail together share one
  // reconnection. When `reconnect` fails, the call fails with the last
  // error. A store that was closed is not reconnected.
  client(caf::actor_system& sys, store_actor store, std::chrono::milliseconds request_timeout,
         reconnector reconnect);

  // Obtains a handle of the store through node `index` of a fleet, for
  // example by connecting to the index-th address (see connect_store).
  using node_connector = std::function<caf::expected<store_actor>(size_t index)>;

  // A client of a store that `nodes` nodes serve together (several nodes on
  // one PostgreSQL database), given a handle through node `first` (which
  // the caller connected to). Calls go to the live nodes in turn; uploads
  // (begin, chunks, commit) stay on one node while it lives, so that their
  // chunks arrive in order. When a node goes away, its calls are treated
  // as the reconnecting client above treats them, except that after the
  // lost node fails to connect again, a repeatable call is sent to the next
  // live node instead; deletes and purges are never sent again. A node that
  // cannot be reached is tried again (with `connect`, bounded by whatever
  // bounds it) when a call would go to it and a second has passed since it
  // last failed.
  client(caf::actor_system& sys, store_actor first_handle, size_t first,
         std::chrono::milliseconds request_timeout, node_connector connect, size_t nodes);

  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  // Stores request.data. Computes request.sha256 here when it is empty, so
  // the store routes without hashing. See operations::put for the semantics.
  caf::expected<v1::ArtifactRef> put(v1::PutRequest request);

  // put with request.text set: the mime type defaults to text/plain.
  caf::expected<v1::ArtifactRef> put_text(v1::PutRequest request);

  caf::expected<v1::Blob> get(const v1::Key& key);
  caf::expected<v1::RefResult> get_ref(const v1::Key& key);

  // `length` bytes of the artifact at `key` from `offset` (no length: to
  // the end), clamped to the artifact and to the store's largest payload,
  // with its size and digest (see BlobRange): found = false when nothing is
  // stored; found with no bytes for an offset at or past the end. A
  // negative offset or length is invalid_argument. Repeated after a lost
  // connection like get. A node of version 0.1 answers internal.
  caf::expected<v1::BlobRange> get_range(const v1::Key& key, int64_t offset,
                                         std::optional<int64_t> length = std::nullopt);

  // Reads the artifact at `key` whole as a series of ranges (get_range) of
  // options.part_bytes, options.parts_in_flight of them requested at once,
  // and hands each part to `consume`, in order, as it arrives: memory stays
  // within about parts_in_flight × part_bytes whatever the artifact's size.
  // True when the artifact was read whole; false, with nothing consumed,
  // when nothing is stored at `key`. The parts are hashed as they arrive:
  // when the bytes read are not the ones whose sha256 the store recorded,
  // the call fails with internal (after the last part was consumed, so a
  // consumer that writes somewhere must discard what it wrote). Fails with
  // unavailable when the artifact is deleted or expires while it is read,
  // and with the error `consume` returns, which stops the read. A node of
  // version 0.1 answers internal, as for get_range: use get there.
  caf::expected<bool> read(const v1::Key& key,
                           const std::function<caf::error(std::string_view part)>& consume,
                           read_options options = {});

  caf::expected<bool> exists(const v1::Key& key);
  caf::expected<bool> remove(const v1::Key& key);
  caf::expected<v1::RefList> list(const v1::ListRequest& request);

  // Runs one pass of the store's sweeper now (lifecycle_actor): deletes
  // every artifact expired at the store's current instant and answers how
  // many, and their bytes. Repeated after a lost connection like a read: a
  // repeat deletes what is left. A node of version 0.1 answers internal
  // (it does not know the operation).
  caf::expected<v1::Removed> sweep();

  // Deletes every artifact whose scope matches `filter` (tenant required;
  // empty user, session or task match any), in batches, and answers how
  // many live artifacts it deleted, and their bytes. Idempotent: a repeat
  // deletes nothing more. A put racing with it survives whole or is
  // deleted whole. Not repeated after a lost connection (its count would
  // be wrong): call it again.
  caf::expected<v1::Removed> purge(const v1::Scope& filter);

  // The count and bytes of the live artifacts whose scope matches `filter`
  // (tenant required), exact at the moment the store reads them.
  caf::expected<v1::Usage> usage(const v1::Scope& filter);

  // Streamed uploads (upload_actor; see UploadBegin in the wire schema).
  // A node of version 0.1 answers internal.

  // Opens an upload for `metadata`, a put request without data.
  caf::expected<v1::UploadStatus> begin_upload(v1::PutRequest metadata);

  // Appends `data` at `offset` of the upload: the status after it, or
  // wrong_offset naming the offset the upload expects
  // (expected_offset_of). Not repeated after a lost connection: ask
  // upload_status where the upload stands, and go on from there.
  caf::expected<v1::UploadStatus> append(const std::string& upload_id, int64_t offset,
                                         std::string data);

  // Where the upload stands. Repeated after a lost connection.
  caf::expected<v1::UploadStatus> upload_status(const std::string& upload_id);

  // Stores the upload as an artifact, checking its digest against
  // `sha256` when it is set. Repeated after a lost connection: a repeat
  // answers the same ref.
  caf::expected<v1::ArtifactRef> commit_upload(const std::string& upload_id,
                                               std::string sha256 = {});

  // Discards the upload: false when no such upload was open.
  caf::expected<bool> abort_upload(const std::string& upload_id);

  // Stores an artifact of any size from `source` as one streamed upload:
  // begins it for `metadata` (a put request without data), sends chunks of
  // options.part_bytes with options.parts_in_flight on their way, and
  // commits it with the digest of the bytes sent, which the store checks
  // against its own (and against metadata.sha256 when set). Memory stays
  // within about parts_in_flight × part_bytes. When the store is lost
  // midway, asks it where the upload stands for up to options.resume_for
  // and resends from there the chunks it lacks. Fails with the store's
  // error, or the source's; the upload then stays open until it expires,
  // to be continued (options.upload_id) or left.
  caf::expected<v1::ArtifactRef> write(v1::PutRequest metadata, const byte_source& source,
                                       write_options options = {});

  // The store handle calls go to now (a reconnecting client's changes).
  store_actor handle() const;

 private:
  // Sends a chunk now; the function waits for its answer. Chunks sent one
  // after another from one thread reach the store in that order.
  std::function<caf::expected<v1::UploadStatus>()> send_chunk(v1::UploadChunk chunk);

  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace artifacts
