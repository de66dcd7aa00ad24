#include "storage/standby_reads.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <artifact_store/errc.hpp>

namespace artifacts {

namespace {

// How long a backend leaves a failed standby alone: long enough that a
// standby that is down costs a read one failed attempt every few seconds,
// not one each.
constexpr std::chrono::seconds standby_pause{5};

class standby_reads_backend final : public backend {
 public:
  standby_reads_backend(std::unique_ptr<backend> primary, std::shared_ptr<driver> standby)
      : primary_(std::move(primary)), standby_driver_(std::move(standby)) {}

  std::vector<put_outcome> put(const std::vector<new_artifact>& artifacts) override {
    return primary_->put(artifacts);
  }

  std::optional<std::string> get(const artifact_key& key) override {
    if (auto found = on_standby([&](backend& b) { return b.get(key); }); found && *found) {
      return std::move(*found);
    }
    return primary_->get(key);
  }

  std::vector<std::optional<std::string>> get_batch(
      const std::vector<artifact_key>& keys) override {
    auto found = on_standby([&](backend& b) { return b.get_batch(keys); });
    if (!found) {
      return primary_->get_batch(keys);
    }
    std::vector<artifact_key> missed;
    for (size_t i = 0; i < keys.size(); ++i) {
      if (!(*found)[i]) {
        missed.push_back(keys[i]);
      }
    }
    if (!missed.empty()) {
      auto rest = primary_->get_batch(missed);
      for (size_t i = 0, next = 0; i < keys.size(); ++i) {
        if (!(*found)[i]) {
          (*found)[i] = std::move(rest[next++]);
        }
      }
    }
    return std::move(*found);
  }

  std::optional<stored_range> read_range(const artifact_key& key, uint64_t offset,
                                         uint64_t length) override {
    if (auto found = on_standby([&](backend& b) { return b.read_range(key, offset, length); });
        found && *found) {
      return std::move(*found);
    }
    return primary_->read_range(key, offset, length);
  }

  std::optional<v1::ArtifactRef> get_ref(const artifact_key& key) override {
    if (auto found = on_standby([&](backend& b) { return b.get_ref(key); }); found && *found) {
      return std::move(*found);
    }
    return primary_->get_ref(key);
  }

  bool exists(const artifact_key& key) override {
    if (auto found = on_standby([&](backend& b) { return b.exists(key); }); found && *found) {
      return true;
    }
    return primary_->exists(key);
  }

  bool remove(const artifact_key& key) override { return primary_->remove(key); }

  std::vector<v1::ArtifactRef> list(const list_query& query) override {
    return primary_->list(query);
  }

  removal sweep(uint32_t limit) override { return primary_->sweep(limit); }

  usage_totals usage(const v1::Scope& filter) override { return primary_->usage(filter); }

  purge_batch purge(const v1::Scope& filter, uint32_t limit) override {
    return primary_->purge(filter, limit);
  }

  void begin_upload(const new_upload& upload) override { primary_->begin_upload(upload); }

  uint64_t append_upload(std::string_view id, uint64_t offset, std::string_view bytes,
                         micros expires_at) override {
    return primary_->append_upload(id, offset, bytes, expires_at);
  }

  std::optional<upload_record> find_upload(std::string_view id) override {
    return primary_->find_upload(id);
  }

  void read_upload(std::string_view id, uint64_t size,
                   const std::function<void(std::string_view)>& consume) override {
    primary_->read_upload(id, size, consume);
  }

  v1::ArtifactRef commit_upload(std::string_view id, const new_artifact& artifact,
                                micros keep_until) override {
    return primary_->commit_upload(id, artifact, keep_until);
  }

  bool abort_upload(std::string_view id) override { return primary_->abort_upload(id); }

  uint64_t sweep_uploads(uint32_t limit) override { return primary_->sweep_uploads(limit); }

  uint64_t largest_artifact() const noexcept override { return primary_->largest_artifact(); }

 private:
  using clock = std::chrono::steady_clock;

  // What `read` answers on the standby, opened first if need be; nullopt
  // when the standby is left alone or fails, which drops its connection
  // and leaves it alone for standby_pause.
  template <class Read>
  auto on_standby(Read read) -> std::optional<decltype(read(std::declval<backend&>()))> {
    if (clock::now() < retry_after_) {
      return std::nullopt;
    }
    try {
      if (!standby_) {
        standby_ = standby_driver_->open_backend();
      }
      return read(*standby_);
    } catch (const store_error&) {
      standby_.reset();
      retry_after_ = clock::now() + standby_pause;
      return std::nullopt;
    }
  }

  std::unique_ptr<backend> primary_;
  std::shared_ptr<driver> standby_driver_;
  std::unique_ptr<backend> standby_;
  clock::time_point retry_after_{};
};

class standby_reads_driver final : public driver {
 public:
  standby_reads_driver(std::shared_ptr<driver> primary, std::shared_ptr<driver> standby)
      : primary_(std::move(primary)), standby_(std::move(standby)) {}

  std::string_view name() const noexcept override { return primary_->name(); }

  std::unique_ptr<backend> open_backend() override {
    return std::make_unique<standby_reads_backend>(primary_->open_backend(), standby_);
  }

  bool calls_may_wait() const noexcept override { return true; }

  const storage_options& options() const noexcept override { return primary_->options(); }

 private:
  std::shared_ptr<driver> primary_;
  std::shared_ptr<driver> standby_;
};

}  // namespace

std::shared_ptr<driver> make_standby_reads_driver(std::shared_ptr<driver> primary,
                                                  std::shared_ptr<driver> standby) {
  return std::make_shared<standby_reads_driver>(std::move(primary), std::move(standby));
}

}  // namespace artifacts
