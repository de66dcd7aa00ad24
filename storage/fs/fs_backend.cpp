#include "storage/fs/fs_backend.hpp"

#include <string>

#include <artifact_store/errc.hpp>

#include "storage/fs/fs_guard.hpp"
#include "storage/fs/fs_listing.hpp"
#include "storage/fs/fs_sidecar.hpp"

namespace artifacts::fs {

namespace {

class fs_backend final : public backend {
 public:
  explicit fs_backend(std::shared_ptr<tree> root) : root_(std::move(root)) {}

  std::vector<put_outcome> put(const std::vector<new_artifact>& artifacts) override {
    return put_each(artifacts, [this](const new_artifact& artifact) { return store(artifact); });
  }

  std::optional<std::string> get(const artifact_key& key) override {
    std::optional<std::string> bytes;
    guarded("get", [&] {
      auto where = locate(key.scope, key.ns, key.id);
      auto folder = open_folders(root_->folder(), where.folders, where.folders.size(), false);
      if (!folder) {
        return;
      }
      auto ref = read_sidecar("get", folder.get(), where.stem, key.scope, key.ns, key.id);
      if (!ref) {
        return;
      }
      // Missing bytes after a present sidecar: a delete got in between.
      bytes = read_file(folder.get(), where.stem + std::string(bytes_suffix));
      if (bytes && static_cast<int64_t>(bytes->size()) != ref->size_bytes()) {
        throw store_error(errc::internal, "get: the stored bytes of " + std::string(key.id) +
                                              " are damaged (" + std::to_string(bytes->size()) +
                                              " bytes, the ref says " +
                                              std::to_string(ref->size_bytes()) + ")");
      }
    });
    return bytes;
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
      existed =
          read_sidecar("delete", folder.get(), where.stem, key.scope, key.ns, key.id).has_value();
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
    guarded("list", [&] { refs = list_refs(root_->folder(), query); });
    return refs;
  }

 private:
  // Stores one artifact unless its key is taken; the row at the key.
  v1::ArtifactRef store(const new_artifact& artifact) {
    const auto& ref = artifact.ref;
    v1::ArtifactRef stored;
    guarded("put", [&] {
      auto where = locate(ref.scope(), ref.namespace_(), ref.id());
      auto writing = root_->lock_key("put", where);
      auto folder = open_folders(root_->folder(), where.folders, where.folders.size(), true);
      if (auto existing = read_sidecar("put", folder.get(), where.stem, ref.scope(),
                                       ref.namespace_(), ref.id())) {
        // A put that crashed after its renames, before its folder sync,
        // left a whole artifact whose names may not be durable yet: sync
        // before this put acknowledges it.
        sync(folder.get());
        stored = std::move(*existing);
        return;
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

  std::optional<v1::ArtifactRef> find_ref(std::string_view op, const artifact_key& key) {
    auto where = locate(key.scope, key.ns, key.id);
    auto folder = open_folders(root_->folder(), where.folders, where.folders.size(), false);
    if (!folder) {
      return std::nullopt;
    }
    return read_sidecar(op, folder.get(), where.stem, key.scope, key.ns, key.id);
  }

  std::shared_ptr<tree> root_;
};

}  // namespace

std::unique_ptr<backend> make_fs_backend(std::shared_ptr<tree> root) {
  return std::make_unique<fs_backend>(std::move(root));
}

}  // namespace artifacts::fs
