#include "storage/fs/fs_backend.hpp"

#include <cstdint>
#include <string>

#include <artifact_store/errc.hpp>

#include "storage/fs/fs_guard.hpp"
#include "storage/fs/fs_listing.hpp"
#include "storage/fs/fs_sidecar.hpp"
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

 private:
  // Stores one artifact unless its key is taken; the row at the key.
  v1::ArtifactRef store(const new_artifact& artifact) {
    const auto& ref = artifact.ref;
    v1::ArtifactRef stored;
    guarded("put", [&] {
      std::unique_lock<timed_lock> counting;
      if (artifact.quota != nullptr) {
        counting = root_->lock_tenant("put", ref.scope().tenant());
      }
      auto where = locate(ref.scope(), ref.namespace_(), ref.id());
      auto writing = root_->lock_key("put", where);
      auto folder = open_folders(root_->folder(), where.folders, where.folders.size(), true);
      auto existing =
          read_sidecar("put", folder.get(), where.stem, ref.scope(), ref.namespace_(), ref.id());
      const auto action = existing ? reput_of(*existing, ref) : reput_action::replace;
      if (action == reput_action::keep) {
        // A put that crashed after its renames, before its folder sync,
        // left a whole artifact whose names may not be durable yet: sync
        // before this put acknowledges it.
        sync(folder.get());
        stored = std::move(*existing);
        return;
      }
      if (action == reput_action::extend) {
        // Only the sidecar changes; its rename is atomic.
        set_expiry(*existing, merged_expiry(expiry_of(*existing), expiry_of(ref)));
        replace_file(folder.get(), where.stem + std::string(ref_suffix),
                     sidecar_json("put", *existing));
        sync(folder.get());
        stored = std::move(*existing);
        return;
      }
      if (artifact.quota != nullptr) {
        const auto& tenant = ref.scope().tenant();
        check_quota(*artifact.quota, usage_of(tenant_filter(tenant)), artifact.bytes.size(),
                    tenant);
      }
      // Bytes first, the sidecar last: a crash between the renames leaves
      // uncommitted bytes, and a sidecar whose bytes rename did not reach
      // the disk is swept at open. One folder sync makes both durable
      // before the put is acknowledged.
      replace_file(folder.get(), where.stem + std::string(bytes_suffix), artifact.bytes);
      replace_file(folder.get(), where.stem + std::string(ref_suffix), sidecar_json("put", ref));
      sync(folder.get());
      stored = ref;
    });
    return stored;
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
