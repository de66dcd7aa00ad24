#include "storage/fs/fs_backend.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>

#include <sys/types.h>

#include <artifact_store/errc.hpp>

#include "storage/fs/fs_guard.hpp"
#include "storage/fs/fs_listing.hpp"
#include "storage/fs/fs_sidecar.hpp"
#include "storage/fs/fs_uploads.hpp"
#include "storage/lifecycle.hpp"
#include "storage/quota.hpp"

namespace artifacts::fs {

namespace {

class fs_backend final : public backend {
 public:
  fs_backend(std::shared_ptr<tree> root, wall_clock clock)
      : root_(std::move(root)), clock_(std::move(clock)) {}

  std::vector<put_outcome> put(const std::vector<new_artifact>& artifacts) override {
    return put_each(artifacts, [this](const new_artifact& artifact) { return store(artifact); });
  }

  std::optional<std::string> get(const artifact_key& key) override {
    std::optional<std::string> bytes;
    guarded("get", [&] {
      auto found = find_live("get", key);
      if (!found) {
        return;
      }
      // Missing bytes after a present sidecar: a delete got in between.
      bytes = read_file(found->folder.get(), found->bytes_name);
      if (bytes) {
        check_size("get", found->ref, bytes->size());
      }
    });
    return bytes;
  }

  // The sidecar, then only the range of the bytes file (pread).
  std::optional<stored_range> read_range(const artifact_key& key, uint64_t offset,
                                         uint64_t length) override {
    std::optional<stored_range> range;
    guarded("get_range", [&] {
      auto found = find_live("get_range", key);
      if (!found) {
        return;
      }
      auto part = read_file_range(found->folder.get(), found->bytes_name, offset, length);
      if (!part) {
        return;  // deleted in between, as for get
      }
      check_size("get_range", found->ref, part->file_size);
      range.emplace();
      range->bytes = std::move(part->bytes);
      range->size_bytes = part->file_size;
      range->sha256 = found->ref.sha256();
    });
    return range;
  }

  std::optional<v1::ArtifactRef> get_ref(const artifact_key& key) override {
    std::optional<v1::ArtifactRef> ref;
    guarded("get_ref", [&] { ref = find_ref("get_ref", key); });
    return ref;
  }

  bool exists(const artifact_key& key) override {
    bool found = false;
    guarded("exists", [&] { found = find_ref("exists", key).has_value(); });
    return found;
  }

  bool remove(const artifact_key& key) override {
    bool existed = false;
    guarded("delete", [&] {
      auto where = locate(key.scope, key.ns, key.id);
      auto writing = root_->lock_key("delete", where);
      auto folder = open_folders(root_->folder(), where.folders, where.folders.size(), false);
      if (!folder) {
        return;
      }
      // An expired artifact still on disk was gone already: deleting it
      // answers false.
      auto ref = read_sidecar("delete", folder.get(), where.stem, key.scope, key.ns, key.id);
      existed = ref && !expired(*ref, now());
      // The sidecar goes first: without it the artifact is gone, whatever
      // happens to the bytes.
      bool removed = remove_file(folder.get(), where.stem + std::string(ref_suffix));
      removed |= remove_file(folder.get(), where.stem + std::string(bytes_suffix));
      if (removed) {
        sync(folder.get());
      }
    });
    return existed;
  }

  std::vector<v1::ArtifactRef> list(const list_query& query) override {
    std::vector<v1::ArtifactRef> refs;
    const auto at = now();
    guarded("list", [&] {
      refs = list_refs(root_->folder(), query,
                       [at](const v1::ArtifactRef& ref) { return !expired(ref, at); });
    });
    return refs;
  }

  // Walks the tree for up to `limit` expired artifacts, then deletes each
  // that is still expired under its key's lock (a put may have stored it
  // anew meanwhile). A walk reads every sidecar on its way: on this driver a
  // sweep costs in proportion to the store, not to what it removes.
  removal sweep(uint32_t limit) override {
    removal out;
    guarded("sweep", [&] {
      out = removal{};
      const auto at = now();
      const v1::Scope everything;
      auto candidates = list_refs(root_->folder(), list_query{everything, nullptr, limit},
                                  [at](const v1::ArtifactRef& ref) { return expired(ref, at); });
      for (const auto& ref : candidates) {
        auto removed = remove_stored(
            "sweep", ref, [at](const v1::ArtifactRef& stored) { return !expired(stored, at); });
        if (removed) {
          out.deleted += 1;
          out.bytes += static_cast<uint64_t>(removed->size_bytes());
        }
      }
    });
    return out;
  }

  // Walks the filter's part of the tree, reading every sidecar in it.
  usage_totals usage(const v1::Scope& filter) override {
    usage_totals out;
    guarded("usage", [&] { out = usage_of(filter); });
    return out;
  }

  purge_batch purge(const v1::Scope& filter, uint32_t limit) override {
    purge_batch out;
    guarded("purge", [&] {
      out = purge_batch{};
      const auto at = now();
      auto candidates = list_refs(root_->folder(), list_query{filter, nullptr, limit},
                                  [](const v1::ArtifactRef&) { return true; });
      for (const auto& ref : candidates) {
        if (auto removed = remove_stored("purge", ref)) {
          out.rows += 1;
          if (!expired(*removed, at)) {
            out.live.deleted += 1;
            out.live.bytes += static_cast<uint64_t>(removed->size_bytes());
          }
        }
      }
    });
    return out;
  }

  // A begin under an id already there (only a leftover could be: ids are
  // random) starts over with no bytes. The state is written last: until
  // it is, the folder is no upload.
  void begin_upload(const new_upload& upload) override {
    guarded("begin_upload", [&] {
      const auto name = upload_folder_name(upload.id);
      auto holding = root_->lock_upload("begin_upload", name);
      remove_upload(root_->uploads(), name);
      auto folder = open_folder(root_->uploads(), name, true);
      replace_file(folder.get(), upload_request_file, upload.request);
      replace_file(folder.get(), upload_data_file, {});
      write_state(folder.get(), upload_state{upload.expires_at, 0, upload_phase::open, {}});
    });
  }

  // Under the upload's lock: the offset check, the bytes written and
  // synced after the acknowledged ones, then the new state (its commit
  // point). A crash before the state leaves the old one, and the bytes past
  // its size are cut off by the next write.
  uint64_t append_upload(std::string_view id, uint64_t offset, std::string_view bytes,
                         micros expires_at) override {
    uint64_t size = 0;
    guarded("append", [&] {
      const auto name = upload_folder_name(id);
      auto holding = root_->lock_upload("append", name);
      auto found = live_upload(name);
      if (!found) {
        throw upload_gone("append", id);
      }
      auto& state = found->state;
      if (state.phase != upload_phase::open) {
        throw upload_committed("append", id);
      }
      if (offset != state.size_bytes) {
        throw chunk_misplaced(id, offset, state.size_bytes);
      }
      if (!write_after(found->folder.get(), upload_data_file, state.size_bytes, bytes)) {
        throw data_damaged("append", id);
      }
      state.size_bytes += bytes.size();
      state.expires_at = expires_at;
      write_state(found->folder.get(), state);
      size = state.size_bytes;
    });
    return size;
  }

  std::optional<upload_record> find_upload(std::string_view id) override {
    std::optional<upload_record> record;
    guarded("upload_status", [&] {
      const auto name = upload_folder_name(id);
      auto holding = root_->lock_upload("upload_status", name);
      auto found = live_upload(name);
      if (!found) {
        return;
      }
      auto request = read_file(found->folder.get(), upload_request_file);
      if (!request) {
        throw data_damaged("upload_status", id);
      }
      record.emplace();
      record->request = std::move(*request);
      record->size_bytes = found->state.size_bytes;
      record->expires_at = found->state.expires_at;
      record->committed = std::move(found->state.committed);
    });
    return record;
  }

  // Checks the upload under its lock, then reads the pieces without it:
  // the acknowledged bytes of a data file never change (appends write
  // after them), and an upload removed meanwhile takes its data file away,
  // which the next piece finds.
  void read_upload(std::string_view id, uint64_t size,
                   const std::function<void(std::string_view)>& consume) override {
    unique_fd folder;
    guarded("commit", [&] {
      const auto name = upload_folder_name(id);
      auto holding = root_->lock_upload("commit", name);
      auto found = live_upload(name);
      if (!found || found->state.phase == upload_phase::committed ||
          found->state.size_bytes < size) {
        throw upload_gone("commit", id);
      }
      folder = std::move(found->folder);
    });
    std::string piece;
    for (uint64_t at = 0; at < size; at += piece.size()) {
      guarded("commit", [&] {
        const auto wanted = std::min(upload_piece_bytes, size - at);
        auto part = read_file_range(folder.get(), upload_data_file, at, wanted);
        if (!part || part->bytes.size() != wanted) {
          throw upload_gone("commit", id);
        }
        piece = std::move(part->bytes);
      });
      consume(piece);
    }
  }

  // Stores the upload's data as the artifact's bytes by put()'s rules
  // (store_with), giving the data file a second name instead of copying
  // it, then marks the upload committed. Each step is durable before the
  // next, and a commit repeated after a crash at any point completes it:
  //
  // - before the sealed state: nothing has changed;
  // - sealed, data not yet linked: the upload takes no chunk; a repeated
  //   commit links it;
  // - linked (a temporary name or the bytes file, without a sidecar): the
  //   artifact is not stored, and what was linked is swept when the store
  //   opens or replaced by the repeated commit's link; the upload still has
  //   its data under its own name;
  // - the sidecar written, not yet committed: the artifact is stored, and a
  //   repeated commit finds it (a re-put that keeps it) and commits;
  // - committed, data name not yet removed: it goes with the upload.
  v1::ArtifactRef commit_upload(std::string_view id, const new_artifact& artifact,
                                micros keep_until) override {
    v1::ArtifactRef stored;
    guarded("commit", [&] {
      const auto name = upload_folder_name(id);
      auto holding = root_->lock_upload("commit", name);
      auto found = live_upload(name);
      if (!found) {
        throw upload_gone("commit", id);
      }
      auto& state = found->state;
      const int folder = found->folder.get();
      if (state.phase == upload_phase::committed) {
        stored = std::move(*state.committed);
        return;
      }
      const auto size = static_cast<uint64_t>(artifact.ref.size_bytes());
      if (state.size_bytes != size) {
        throw chunk_misplaced(id, size, state.size_bytes);
      }
      stored = store_with("commit", artifact, [&](int into, const std::string& bytes_name) {
        // Sealed before the data gets its second name: from then on no
        // append may write into what is, or may become, an artifact's bytes.
        if (state.phase == upload_phase::open) {
          if (!write_after(folder, upload_data_file, state.size_bytes, {})) {
            throw data_damaged("commit", id);
          }
          state.phase = upload_phase::sealed;
          write_state(folder, state);
        }
        link_file(folder, upload_data_file, into, bytes_name);
      });
      if (stored.sha256() != artifact.ref.sha256()) {
        throw commit_collision(artifact.ref);  // the upload stays as it was
      }
      state.phase = upload_phase::committed;
      state.committed = stored;
      state.expires_at = keep_until;
      write_state(folder, state);
      remove_file(folder, upload_data_file);
    });
    return stored;
  }

  bool abort_upload(std::string_view id) override {
    bool removed = false;
    guarded("abort_upload", [&] {
      const auto name = upload_folder_name(id);
      auto holding = root_->lock_upload("abort_upload", name);
      removed = live_upload(name).has_value();
      if (removed) {
        remove_upload(root_->uploads(), name);
      }
    });
    return removed;
  }

  // Walks ROOT/uploads and removes, each under its lock, the uploads
  // expired now and the folders of begins that never finished. A walk reads
  // every upload's state: it costs in proportion to the uploads kept.
  uint64_t sweep_uploads(uint32_t limit) override {
    uint64_t removed = 0;
    guarded("sweep", [&] {
      removed = 0;
      const auto at = now();
      for (const auto& name : entry_names(root_->uploads())) {
        if (removed >= limit) {
          break;
        }
        if (!is_upload_folder_name(name)) {
          continue;
        }
        auto holding = root_->lock_upload("sweep", name);
        auto folder = open_folder(root_->uploads(), name, false);
        if (!folder) {
          continue;  // removed by another call meanwhile
        }
        auto state = read_state(folder.get());
        if (state && state->expires_at > at) {
          continue;
        }
        remove_upload(root_->uploads(), name);
        removed += 1;
      }
    });
    return removed;
  }

  // Files are as large as the filesystem lets them be.
  uint64_t largest_artifact() const noexcept override {
    return static_cast<uint64_t>(std::numeric_limits<off_t>::max());
  }

 private:
  // Stores one artifact unless its key is taken; the row at the key.
  v1::ArtifactRef store(const new_artifact& artifact) {
    v1::ArtifactRef stored;
    guarded("put", [&] {
      stored = store_with("put", artifact, [&](int folder, const std::string& bytes_name) {
        replace_file(folder, bytes_name, artifact.bytes);
      });
    });
    return stored;
  }

  // Puts a new artifact's bytes file in place: at `bytes_name` in the
  // artifact's open `folder`, atomically, synced but for the folder.
  using bytes_placer = std::function<void(int folder, const std::string& bytes_name)>;

  // Stores `artifact` by put()'s rules under its tenant's lock (when a
  // quota applies) and its key's: a live artifact at the key is answered
  // (its expiry merged), an expired one replaced, a new one checked
  // against the quota; its bytes come from `place_bytes`. The row at the
  // key.
  v1::ArtifactRef store_with(std::string_view op, const new_artifact& artifact,
                             const bytes_placer& place_bytes) {
    const auto& ref = artifact.ref;
    std::unique_lock<timed_lock> counting;
    if (artifact.quota != nullptr) {
      counting = root_->lock_tenant(op, ref.scope().tenant());
    }
    auto where = locate(ref.scope(), ref.namespace_(), ref.id());
    auto writing = root_->lock_key(op, where);
    auto folder = open_folders(root_->folder(), where.folders, where.folders.size(), true);
    auto existing =
        read_sidecar(op, folder.get(), where.stem, ref.scope(), ref.namespace_(), ref.id());
    const auto action = existing ? reput_of(*existing, ref) : reput_action::replace;
    if (action == reput_action::keep) {
      // A put that crashed after its renames, before its folder sync,
      // left a whole artifact whose names may not be durable yet: sync
      // before this put acknowledges it.
      sync(folder.get());
      return std::move(*existing);
    }
    if (action == reput_action::extend) {
      // Only the sidecar changes; its rename is atomic.
      set_expiry(*existing, merged_expiry(expiry_of(*existing), expiry_of(ref)));
      replace_file(folder.get(), where.stem + std::string(ref_suffix), sidecar_json(op, *existing));
      sync(folder.get());
      return std::move(*existing);
    }
    if (artifact.quota != nullptr) {
      // The ref's size: the bytes may be an upload's, not artifact.bytes.
      const auto& tenant = ref.scope().tenant();
      check_quota(*artifact.quota, usage_of(tenant_filter(tenant)),
                  static_cast<uint64_t>(ref.size_bytes()), tenant);
    }
    // Bytes first, the sidecar last: a crash between the renames leaves
    // uncommitted bytes, and a sidecar whose bytes rename did not reach
    // the disk is swept at open. One folder sync makes both durable
    // before the put is acknowledged.
    place_bytes(folder.get(), where.stem + std::string(bytes_suffix));
    replace_file(folder.get(), where.stem + std::string(ref_suffix), sidecar_json(op, ref));
    sync(folder.get());
    return ref;
  }

  // An upload's folder, open, and its state.
  struct stored_upload {
    unique_fd folder;
    upload_state state;
  };

  // The upload in folder `name` of ROOT/uploads when it is live now. The
  // caller holds its lock.
  std::optional<stored_upload> live_upload(const std::string& name) {
    auto folder = open_folder(root_->uploads(), name, false);
    if (!folder) {
      return std::nullopt;
    }
    auto state = read_state(folder.get());
    if (!state || state->expires_at <= now()) {
      return std::nullopt;
    }
    return stored_upload{std::move(folder), std::move(*state)};
  }

  // A live upload missing files its state says it has: damaged, never
  // bytes that are not the upload's.
  static store_error data_damaged(std::string_view op, std::string_view id) {
    return store_error(errc::internal, std::string(op) + ": the stored data of upload " +
                                           std::string(id) + " are damaged");
  }

  // The live ref at `key`, if any.
  // A live artifact's sidecar, read, and where its bytes are.
  struct live_artifact {
    unique_fd folder;
    std::string bytes_name;
    v1::ArtifactRef ref;
  };

  // The artifact at `key` unless it is absent or expired.
  std::optional<live_artifact> find_live(std::string_view op, const artifact_key& key) {
    auto where = locate(key.scope, key.ns, key.id);
    auto folder = open_folders(root_->folder(), where.folders, where.folders.size(), false);
    if (!folder) {
      return std::nullopt;
    }
    auto ref = read_sidecar(op, folder.get(), where.stem, key.scope, key.ns, key.id);
    if (!ref || expired(*ref, now())) {
      return std::nullopt;
    }
    return live_artifact{std::move(folder), where.stem + std::string(bytes_suffix),
                         std::move(*ref)};
  }

  std::optional<v1::ArtifactRef> find_ref(std::string_view op, const artifact_key& key) {
    auto found = find_live(op, key);
    if (!found) {
      return std::nullopt;
    }
    return std::move(found->ref);
  }

  // A bytes file whose size is not the one its sidecar records is damaged:
  // internal, never bytes that are not the artifact's.
  static void check_size(std::string_view op, const v1::ArtifactRef& ref, uint64_t size) {
    if (static_cast<int64_t>(size) != ref.size_bytes()) {
      throw store_error(errc::internal, std::string(op) + ": the stored bytes of " + ref.id() +
                                            " are damaged (" + std::to_string(size) +
                                            " bytes, the ref says " +
                                            std::to_string(ref.size_bytes()) + ")");
    }
  }

  usage_totals usage_of(const v1::Scope& filter) {
    usage_totals out;
    const auto at = now();
    list_refs(root_->folder(), list_query{filter, nullptr, UINT32_MAX},
              [&](const v1::ArtifactRef& ref) {
                if (!expired(ref, at)) {
                  out.count += 1;
                  out.bytes += static_cast<uint64_t>(ref.size_bytes());
                }
                return false;
              });
    return out;
  }

  // Deletes the artifact at the key of `ref` under the key's lock, and
  // returns the ref it read there then (a put may have replaced it since
  // the walk saw it), or nullopt when none was there. A sweep deletes only
  // what is still expired: `keep` tells it to leave a ref alone.
  std::optional<v1::ArtifactRef> remove_stored(
      std::string_view op, const v1::ArtifactRef& ref,
      const ref_filter& keep = [](const v1::ArtifactRef&) { return false; }) {
    auto where = locate(ref.scope(), ref.namespace_(), ref.id());
    auto writing = root_->lock_key(op, where);
    auto folder = open_folders(root_->folder(), where.folders, where.folders.size(), false);
    if (!folder) {
      return std::nullopt;
    }
    auto stored =
        read_sidecar(op, folder.get(), where.stem, ref.scope(), ref.namespace_(), ref.id());
    if (!stored || keep(*stored)) {
      return std::nullopt;
    }
    // The sidecar first: without it the artifact is gone.
    remove_file(folder.get(), where.stem + std::string(ref_suffix));
    remove_file(folder.get(), where.stem + std::string(bytes_suffix));
    sync(folder.get());
    return stored;
  }

  micros now() const { return now_micros(clock_); }

  std::shared_ptr<tree> root_;
  wall_clock clock_;
};

}  // namespace

std::unique_ptr<backend> make_fs_backend(std::shared_ptr<tree> root, wall_clock clock) {
  return std::make_unique<fs_backend>(std::move(root), std::move(clock));
}

}  // namespace artifacts::fs
