#include "storage/memory_driver.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "storage/dsn.hpp"
#include "storage/lifecycle.hpp"
#include "storage/quota.hpp"

namespace artifacts {

namespace {

// A row's primary key, ordered as the store lists (bytewise per field).
struct row_key {
  std::string tenant, user, session, task, ns, id;

  auto tie() const { return std::tie(tenant, user, session, task, ns, id); }
  bool operator<(const row_key& other) const { return tie() < other.tie(); }
};

row_key make_row_key(const v1::Scope& scope, std::string_view ns, std::string_view id) {
  return row_key{scope.tenant(), scope.user(),    scope.session(),
                 scope.task(),   std::string(ns), std::string(id)};
}

struct row {
  v1::ArtifactRef ref;
  std::string bytes;
};

// An upload and the bytes it has received.
struct upload {
  upload_record record;
  std::string bytes;
};

// The data of one store, shared by all of its backends.
struct shared_rows {
  std::mutex mtx;
  std::map<row_key, row> rows;
  std::map<std::string, upload, std::less<>> uploads;
};

// The largest artifact the memory driver keeps: a bound on what one
// upload may take of the process's memory.
constexpr uint64_t largest_memory_artifact = uint64_t{1} << 30;

bool matches(const std::string& filter, const std::string& value) {
  return filter.empty() || filter == value;
}

class memory_backend final : public backend {
 public:
  memory_backend(std::shared_ptr<shared_rows> data, wall_clock clock)
      : data_(std::move(data)), clock_(std::move(clock)) {}

  std::vector<put_outcome> put(const std::vector<new_artifact>& artifacts) override {
    return put_each(artifacts, [this](const new_artifact& artifact) { return store(artifact); });
  }

  std::optional<std::string> get(const artifact_key& key) override {
    std::lock_guard<std::mutex> guard{data_->mtx};
    if (const row* found = live_row(key)) {
      return found->bytes;
    }
    return std::nullopt;
  }

  std::optional<v1::ArtifactRef> get_ref(const artifact_key& key) override {
    std::lock_guard<std::mutex> guard{data_->mtx};
    if (const row* found = live_row(key)) {
      return found->ref;
    }
    return std::nullopt;
  }

  bool exists(const artifact_key& key) override {
    std::lock_guard<std::mutex> guard{data_->mtx};
    return live_row(key) != nullptr;
  }

  // An expired row still stored is not there: deleting it answers false.
  bool remove(const artifact_key& key) override {
    std::lock_guard<std::mutex> guard{data_->mtx};
    auto pos = data_->rows.find(make_row_key(key.scope, key.ns, key.id));
    if (pos == data_->rows.end()) {
      return false;
    }
    const bool live = !expired(pos->second.ref, now_micros(clock_));
    data_->rows.erase(pos);
    return live;
  }

  removal sweep(uint32_t limit) override {
    removal out;
    const auto now = now_micros(clock_);
    std::lock_guard<std::mutex> guard{data_->mtx};
    for (auto pos = data_->rows.begin(); pos != data_->rows.end() && out.deleted < limit;) {
      if (expired(pos->second.ref, now)) {
        out.deleted += 1;
        out.bytes += pos->second.bytes.size();
        pos = data_->rows.erase(pos);
      } else {
        ++pos;
      }
    }
    return out;
  }

  usage_totals usage(const v1::Scope& filter) override {
    std::lock_guard<std::mutex> guard{data_->mtx};
    return usage_locked(filter);
  }

  purge_batch purge(const v1::Scope& filter, uint32_t limit) override {
    purge_batch out;
    const auto now = now_micros(clock_);
    std::lock_guard<std::mutex> guard{data_->mtx};
    for (auto pos = first_of_tenant(filter);
         pos != data_->rows.end() && pos->first.tenant == filter.tenant() && out.rows < limit;) {
      if (!in_scope(filter, pos->first)) {
        ++pos;
        continue;
      }
      out.rows += 1;
      if (!expired(pos->second.ref, now)) {
        out.live.deleted += 1;
        out.live.bytes += pos->second.bytes.size();
      }
      pos = data_->rows.erase(pos);
    }
    return out;
  }

  void begin_upload(const new_upload& started) override {
    std::lock_guard<std::mutex> guard{data_->mtx};
    auto& entry = data_->uploads[std::string(started.id)];
    entry.record.request.assign(started.request.data(), started.request.size());
    entry.record.expires_at = started.expires_at;
  }

  uint64_t append_upload(std::string_view id, uint64_t offset, std::string_view bytes,
                         micros expires_at) override {
    std::lock_guard<std::mutex> guard{data_->mtx};
    auto& entry = live_upload("append", id);
    if (entry.record.committed) {
      throw upload_committed("append", id);
    }
    if (offset != entry.bytes.size()) {
      throw chunk_misplaced(id, offset, entry.bytes.size());
    }
    entry.bytes.append(bytes.data(), bytes.size());
    entry.record.size_bytes = entry.bytes.size();
    entry.record.expires_at = expires_at;
    return entry.record.size_bytes;
  }

  std::optional<upload_record> find_upload(std::string_view id) override {
    std::lock_guard<std::mutex> guard{data_->mtx};
    auto pos = data_->uploads.find(id);
    if (pos == data_->uploads.end() || pos->second.record.expires_at <= now_micros(clock_)) {
      return std::nullopt;
    }
    return pos->second.record;
  }

  // Copies one piece at a time under the lock, so that appends and other
  // uploads go on between pieces.
  void read_upload(std::string_view id, uint64_t size,
                   const std::function<void(std::string_view)>& consume) override {
    std::string piece;
    for (uint64_t at = 0; at < size; at += piece.size()) {
      {
        std::lock_guard<std::mutex> guard{data_->mtx};
        const auto& entry = live_upload("commit", id);
        if (entry.bytes.size() < size) {
          throw upload_gone("commit", id);
        }
        piece.assign(entry.bytes, at, std::min(upload_piece_bytes, size - at));
      }
      consume(piece);
    }
  }

  v1::ArtifactRef commit_upload(std::string_view id, const new_artifact& artifact,
                                micros keep_until) override {
    std::lock_guard<std::mutex> guard{data_->mtx};
    auto& entry = live_upload("commit", id);
    if (entry.record.committed) {
      return *entry.record.committed;
    }
    const auto size = static_cast<uint64_t>(artifact.ref.size_bytes());
    if (entry.bytes.size() != size) {
      throw chunk_misplaced(id, size, entry.bytes.size());
    }
    auto stored = store_locked(artifact, entry.bytes);
    if (stored.sha256() != artifact.ref.sha256()) {
      throw commit_collision(artifact.ref);
    }
    entry.record.committed = stored;
    entry.record.expires_at = keep_until;
    std::string().swap(entry.bytes);
    return stored;
  }

  bool abort_upload(std::string_view id) override {
    std::lock_guard<std::mutex> guard{data_->mtx};
    auto pos = data_->uploads.find(id);
    if (pos == data_->uploads.end() || pos->second.record.expires_at <= now_micros(clock_)) {
      return false;
    }
    data_->uploads.erase(pos);
    return true;
  }

  uint64_t sweep_uploads(uint32_t limit) override {
    uint64_t removed = 0;
    const auto now = now_micros(clock_);
    std::lock_guard<std::mutex> guard{data_->mtx};
    for (auto pos = data_->uploads.begin(); pos != data_->uploads.end() && removed < limit;) {
      if (pos->second.record.expires_at <= now) {
        removed += 1;
        pos = data_->uploads.erase(pos);
      } else {
        ++pos;
      }
    }
    return removed;
  }

  uint64_t largest_artifact() const noexcept override { return largest_memory_artifact; }

  std::vector<v1::ArtifactRef> list(const list_query& query) override {
    std::vector<v1::ArtifactRef> out;
    const auto& f = query.filter;
    const auto now = now_micros(clock_);
    std::lock_guard<std::mutex> guard{data_->mtx};
    auto pos = data_->rows.begin();
    if (query.after != nullptr) {
      pos = data_->rows.upper_bound(
          make_row_key(query.after->scope(), query.after->namespace_(), query.after->id()));
    }
    for (; pos != data_->rows.end() && out.size() < query.limit; ++pos) {
      const auto& k = pos->first;
      if (matches(f.tenant(), k.tenant) && matches(f.user(), k.user) &&
          matches(f.session(), k.session) && matches(f.task(), k.task) &&
          !expired(pos->second.ref, now)) {
        out.push_back(pos->second.ref);
      }
    }
    return out;
  }

 private:
  // Stores one artifact unless a live row is at its key; the row at the
  // key. The quota is checked under the same lock as the insert.
  v1::ArtifactRef store(const new_artifact& artifact) {
    std::lock_guard<std::mutex> guard{data_->mtx};
    return store_locked(artifact, artifact.bytes);
  }

  // store() under the lock, of `bytes` (the artifact's, or an upload's).
  v1::ArtifactRef store_locked(const new_artifact& artifact, std::string_view bytes) {
    auto key = make_row_key(artifact.ref.scope(), artifact.ref.namespace_(), artifact.ref.id());
    auto pos = data_->rows.find(key);
    const auto action =
        pos == data_->rows.end() ? reput_action::replace : reput_of(pos->second.ref, artifact.ref);
    if (action == reput_action::keep) {
      return pos->second.ref;
    }
    if (action == reput_action::extend) {
      auto& stored = pos->second.ref;
      set_expiry(stored, merged_expiry(expiry_of(stored), expiry_of(artifact.ref)));
      return stored;
    }
    if (artifact.quota != nullptr) {
      const auto& tenant = artifact.ref.scope().tenant();
      check_quota(*artifact.quota, usage_locked(tenant_filter(tenant)), bytes.size(), tenant);
    }
    auto& stored = data_->rows[std::move(key)];
    stored.ref = artifact.ref;
    stored.bytes.assign(bytes.data(), bytes.size());
    return stored.ref;
  }

  // usage() under the lock.
  usage_totals usage_locked(const v1::Scope& filter) {
    usage_totals out;
    const auto now = now_micros(clock_);
    for (auto pos = first_of_tenant(filter);
         pos != data_->rows.end() && pos->first.tenant == filter.tenant(); ++pos) {
      if (in_scope(filter, pos->first) && !expired(pos->second.ref, now)) {
        out.count += 1;
        out.bytes += pos->second.bytes.size();
      }
    }
    return out;
  }

  // The first row of the filter's tenant. Called under the lock.
  std::map<row_key, row>::iterator first_of_tenant(const v1::Scope& filter) {
    return data_->rows.lower_bound(row_key{filter.tenant(), {}, {}, {}, {}, {}});
  }

  static bool in_scope(const v1::Scope& filter, const row_key& key) {
    return matches(filter.tenant(), key.tenant) && matches(filter.user(), key.user) &&
           matches(filter.session(), key.session) && matches(filter.task(), key.task);
  }

  // The upload `id` unless it is absent or expired; upload_not_found
  // naming `op` otherwise. Called under the lock.
  upload& live_upload(std::string_view op, std::string_view id) {
    auto pos = data_->uploads.find(id);
    if (pos == data_->uploads.end() || pos->second.record.expires_at <= now_micros(clock_)) {
      throw upload_gone(op, id);
    }
    return pos->second;
  }

  // The row at `key` unless it is absent or expired. Called under the lock.
  const row* live_row(const artifact_key& key) const {
    auto pos = data_->rows.find(make_row_key(key.scope, key.ns, key.id));
    if (pos == data_->rows.end() || expired(pos->second.ref, now_micros(clock_))) {
      return nullptr;
    }
    return &pos->second;
  }

  std::shared_ptr<shared_rows> data_;
  wall_clock clock_;
};

class memory_driver final : public driver {
 public:
  explicit memory_driver(const storage_options& options)
      : options_(options), data_(std::make_shared<shared_rows>()) {}

  std::string_view name() const noexcept override { return driver_kind_name(driver_kind::memory); }
  bool calls_may_wait() const noexcept override { return false; }

  std::unique_ptr<backend> open_backend() override {
    return std::make_unique<memory_backend>(data_, options_.clock);
  }

  const storage_options& options() const noexcept override { return options_; }

 private:
  storage_options options_;
  std::shared_ptr<shared_rows> data_;
};

}  // namespace

std::shared_ptr<driver> make_memory_driver(const storage_options& options) {
  return std::make_shared<memory_driver>(options);
}

}  // namespace artifacts
