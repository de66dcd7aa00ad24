#include "storage/memory_driver.hpp"

#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "storage/dsn.hpp"

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
  explicit memory_backend(std::shared_ptr<shared_rows> data) : data_(std::move(data)) {}

  std::vector<put_outcome> put(const std::vector<new_artifact>& artifacts) override {
    return put_each(artifacts, [this](const new_artifact& artifact) { return store(artifact); });
  }

  std::optional<std::string> get(const artifact_key& key) override {
    std::lock_guard<std::mutex> guard{data_->mtx};
    auto pos = data_->rows.find(make_row_key(key.scope, key.ns, key.id));
    if (pos == data_->rows.end()) {
      return std::nullopt;
    }
    return pos->second.bytes;
  }

  std::optional<v1::ArtifactRef> get_ref(const artifact_key& key) override {
    std::lock_guard<std::mutex> guard{data_->mtx};
    auto pos = data_->rows.find(make_row_key(key.scope, key.ns, key.id));
    if (pos == data_->rows.end()) {
      return std::nullopt;
    }
    return pos->second.ref;
  }

  bool exists(const artifact_key& key) override {
    std::lock_guard<std::mutex> guard{data_->mtx};
    return data_->rows.count(make_row_key(key.scope, key.ns, key.id)) > 0;
  }

  bool remove(const artifact_key& key) override {
    std::lock_guard<std::mutex> guard{data_->mtx};
    return data_->rows.erase(make_row_key(key.scope, key.ns, key.id)) > 0;
  }

  std::vector<v1::ArtifactRef> list(const list_query& query) override {
    std::vector<v1::ArtifactRef> out;
    const auto& f = query.filter;
    std::lock_guard<std::mutex> guard{data_->mtx};
    auto pos = data_->rows.begin();
    if (query.after != nullptr) {
      pos = data_->rows.upper_bound(
          make_row_key(query.after->scope(), query.after->namespace_(), query.after->id()));
    }
    for (; pos != data_->rows.end() && out.size() < query.limit; ++pos) {
      const auto& k = pos->first;
      if (matches(f.tenant(), k.tenant) && matches(f.user(), k.user) &&
          matches(f.session(), k.session) && matches(f.task(), k.task)) {
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
    if (inserted) {
      pos->second.ref = artifact.ref;
      pos->second.bytes.assign(artifact.bytes.data(), artifact.bytes.size());
    }
    return pos->second.ref;
  }

  std::shared_ptr<shared_rows> data_;
};

class memory_driver final : public driver {
 public:
  explicit memory_driver(const storage_options& options)
      : options_(options), data_(std::make_shared<shared_rows>()) {}

  std::string_view name() const noexcept override { return driver_kind_name(driver_kind::memory); }
  bool calls_may_wait() const noexcept override { return false; }

  std::unique_ptr<backend> open_backend() override {
    return std::make_unique<memory_backend>(data_);
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
