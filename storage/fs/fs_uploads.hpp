// How the filesystem driver keeps a streamed upload: one folder per upload
// under ROOT/uploads (see tree::uploads), named by the SHA-256 of the
// upload's id in hex, so that any id makes one short, safe name. It holds
//
//   request  the begin request, as begin_upload got it; never changes;
//   data     the bytes received so far (the acknowledged ones, plus perhaps
//            the tail of an append a crash interrupted, cut off by the next
//            write);
//   state    the upload's state (upload_state), replaced whole at every
//            change; its presence is the upload's: a folder without a
//            readable state is a begin that did not finish, and is removed
//            by the sweep of uploads.
//
// Only calls holding the upload's lock (tree::lock_upload) change a folder.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <artifact_store/v1/artifacts.pb.h>

#include "storage/lifecycle.hpp"

namespace artifacts::fs {

inline constexpr char upload_request_file[] = "request";
inline constexpr char upload_data_file[] = "data";
inline constexpr char upload_state_file[] = "state";

// Where an upload is between its begin and its end.
enum class upload_phase {
  open,       // takes chunks
  sealed,     // a commit has begun: its size is final and it takes no chunk
              // (its data may already be an artifact's bytes as well)
  committed,  // its artifact is stored; its data is dropped
};

struct upload_state {
  micros expires_at = 0;
  uint64_t size_bytes = 0;  // acknowledged bytes: where the next chunk starts
  upload_phase phase = upload_phase::open;
  std::optional<v1::ArtifactRef> committed;  // set exactly when committed
};

// The name of the folder of upload `id` in ROOT/uploads.
std::string upload_folder_name(std::string_view id);

// Whether `name` is one upload_folder_name makes.
bool is_upload_folder_name(std::string_view name) noexcept;

// The state file's text: three lines ("expires_at N", "size N",
// "phase open|sealed|committed"), then, when committed, the ref as its
// sidecar JSON (fs_sidecar.hpp).
std::string render_state(const upload_state& state);

// The state that text `text` holds; nullopt when it is not one
// render_state makes.
std::optional<upload_state> parse_state(std::string_view text);

// The state of the upload whose folder is `folder`; nullopt when it has
// none, or none that parses. Throws std::system_error.
std::optional<upload_state> read_state(int folder);

// Replaces the state of the upload whose folder is `folder` atomically
// and durably (the folder is synced). Throws std::system_error.
void write_state(int folder, const upload_state& state);

// Removes the folder `name` of ROOT/uploads (`uploads`) and all in it, the
// state first: an upload is gone, durably, before its bytes go. Nothing
// when there is no such folder. Throws std::system_error.
void remove_upload(int uploads, const std::string& name);

}  // namespace artifacts::fs
