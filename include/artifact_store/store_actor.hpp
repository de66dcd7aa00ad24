// The typed actor interfaces of the store: the public API for actor users.
//
// Send a request with the matching atom and message; the reply is the result
// or a caf::error in the artifacts category (see <artifact_store/error.hpp>). Put of a
// PutRequest with text = true is put_text. A request that names nothing
// (get, get_ref of an absent id) succeeds with found = false.
#pragma once

#include <caf/actor_addr.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <artifact_store/atoms.hpp>
#include <artifact_store/messages.hpp>
#include <artifact_store/verified_put.hpp>

namespace artifacts {

// The data operations: what local actors and remote nodes may send.
using store_actor =
    caf::typed_actor<caf::replies_to<put_atom, v1::PutRequest>::with<v1::ArtifactRef>,
                     caf::replies_to<get_atom, v1::Key>::with<v1::Blob>,
                     caf::replies_to<get_ref_atom, v1::Key>::with<v1::RefResult>,
                     caf::replies_to<exists_atom, v1::Key>::with<bool>,
                     caf::replies_to<delete_atom, v1::Key>::with<bool>,
                     caf::replies_to<list_atom, v1::ListRequest>::with<v1::RefList>>;

// The lifecycle operations. A node of version 0.1 does not know them: it
// answers them with an error (unexpected message), which a client reports
// as unsupported. sweep runs one pass of the sweeper now: it deletes every
// artifact expired at the store's current instant, in batches, and answers
// what it deleted. purge deletes every artifact of a scope filter, in
// batches, and answers the live ones it deleted. usage answers the count
// and bytes of a scope filter's live artifacts.
using lifecycle_actor =
    caf::typed_actor<caf::replies_to<sweep_atom, v1::SweepRequest>::with<v1::Removed>,
                     caf::replies_to<purge_atom, v1::PurgeRequest>::with<v1::Removed>,
                     caf::replies_to<usage_atom, v1::UsageRequest>::with<v1::Usage>>;

// Reading an artifact in parts (a node of 0.1 answers it as it answers
// the lifecycle operations): get_range answers the bytes of a range of it,
// clamped to the artifact and to the store's largest payload, with the
// artifact's size and digest (see RangeRequest and BlobRange).
using range_actor =
    caf::typed_actor<caf::replies_to<get_range_atom, v1::RangeRequest>::with<v1::BlobRange>>;

// Streamed uploads (a node of 0.1 answers them as it answers the lifecycle
// operations): begin answers a new upload's status, a chunk the status
// after it, a query where the upload stands, commit the artifact stored,
// abort whether the upload was open. See UploadBegin in the wire schema.
using upload_actor =
    caf::typed_actor<caf::replies_to<upload_atom, v1::UploadBegin>::with<v1::UploadStatus>,
                     caf::replies_to<upload_atom, v1::UploadChunk>::with<v1::UploadStatus>,
                     caf::replies_to<upload_atom, v1::UploadQuery>::with<v1::UploadStatus>,
                     caf::replies_to<upload_atom, v1::UploadCommit>::with<v1::ArtifactRef>,
                     caf::replies_to<upload_atom, v1::UploadAbort>::with<bool>>;

// Everything a store of this version answers, locally and from other
// nodes. A node publishes its store as a store_actor, so that clients of
// every version accept it; a client sends the lifecycle, range and upload
// operations through this interface.
using full_store_actor = store_actor::extend_with<lifecycle_actor, range_actor, upload_actor>;

// The supervisor's full interface: the data and lifecycle operations, a put whose digest
// this process computed (see verified_put.hpp; it cannot come from another
// node), and the local-only administration. close answers true for the call
// that closed the store and false for later ones, once every worker has
// stopped. route answers the address of the worker that serves a key. Both
// refuse senders from other nodes. sweep_tick is the periodic sweeper's own
// timer (store_config::sweep_interval); it ignores other senders.
using store_supervisor_actor =
    full_store_actor::extend<caf::replies_to<put_atom, verified_put>::with<v1::ArtifactRef>,
                             caf::reacts_to<sweep_tick_atom>,
                             caf::replies_to<close_atom>::with<bool>,
                             caf::replies_to<route_atom, v1::Key>::with<caf::actor_addr>>;

}  // namespace artifacts

// Local only: a verified_put carries the promise that this process hashed
// its data, which no other node can make.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(artifacts::verified_put)
