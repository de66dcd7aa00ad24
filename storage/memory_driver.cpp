#include "storage/memory_driver.hpp"

#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "storage/dsn.hpp"
#include "storage/lifecycle.hpp"

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

// The data of one store, shared by all of its backends.
struct shared_rows {
  std::mutex mtx;
  std::map<row_key, row> rows;
};

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
  // Stores one artifact unless its key is taken; the row at the key.
  v1::ArtifactRef store(const new_artifact& artifact) {
    auto key = make_row_key(artifact.ref.scope(), artifact.ref.namespace_(), artifact.ref.id());
    std::lock_guard<std::mutex> guard{data_->mtx};
    auto [pos, inserted] = data_->rows.try_emplace(std::move(key));
    auto& stored = pos->second;
    const auto action = inserted ? reput_action::replace : reput_of(stored.ref, artifact.ref);
    if (action == reput_action::replace) {
      stored.ref = artifact.ref;
      stored.bytes.assign(artifact.bytes.data(), artifact.bytes.size());
    } else if (action == reput_action::extend) {
      set_expiry(stored.ref, merged_expiry(expiry_of(stored.ref), expiry_of(artifact.ref)));
    }
    return stored.ref;
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
