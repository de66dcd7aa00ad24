// A driver for tests of the actor layer: the memory driver with knobs.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <artifact_store/errc.hpp>

#include "storage/backend.hpp"
#include "storage/driver.hpp"
#include "storage/memory_driver.hpp"

namespace artifacts::testing {

// A storage driver over the memory driver that counts its live backends and
// can be told to refuse connections, to break the ones it gave out, to
// answer with refs of another tenant, or to be slow. Every knob may be
// turned from any thread while the driver is in use.
class instrumented_driver final : public driver {
 public:
  explicit instrumented_driver(const storage_options& options)
      : inner_(make_memory_driver(options)) {}

  std::string_view name() const noexcept override { return "counting"; }
  const storage_options& options() const noexcept override { return inner_->options(); }

  std::unique_ptr<backend> open_backend() override {
    ++opens;
    if (refuse.load()) {
      throw store_error(errc::unavailable, "test server refuses connections");
    }
    return std::make_unique<counted_backend>(*this, inner_->open_backend());
  }

  std::atomic<int> live{0};
  std::atomic<int> opens{0};
  std::atomic<bool> refuse{false};
  std::atomic<bool> broken{false};
  // Answers with refs of another tenant, as a buggy driver would.
  std::atomic<bool> foreign{false};
  // Every backend call first sleeps this long.
  std::atomic<int64_t> delay_us{0};
  // How many backend calls have begun (counted before the delay).
  std::atomic<int> calls{0};
  // How many of them have waited out their delay: a call counted in `calls`
  // and not here is being held.
  std::atomic<int> calls_past_delay{0};
  // When false, a put stores its row without the bytes (the ref still tells
  // their size, a get answers empty bytes): for tests that measure the memory
  // of the requests in flight, which the stored content would otherwise mix
  // into in proportion to how long the test ran.
  std::atomic<bool> keep_bytes{true};

 private:
  class counted_backend final : public backend {
   public:
    counted_backend(instrumented_driver& owner, std::unique_ptr<backend> inner)
        : owner_(owner), inner_(std::move(inner)) {
      ++owner_.live;
    }
    ~counted_backend() override { --owner_.live; }

    // One call per put, as each is counted, delayed and broken.
    std::vector<put_outcome> put(const std::vector<new_artifact>& artifacts) override {
      return put_each(artifacts, [this](const new_artifact& artifact) {
        check();
        if (!owner_.keep_bytes.load()) {
          return disguised(put_one(*inner_, new_artifact{artifact.ref, {}, artifact.source_json}));
        }
        return disguised(put_one(*inner_, artifact));
      });
    }
    std::optional<std::string> get(const artifact_key& key) override {
      check();
      return inner_->get(key);
    }
    std::optional<v1::ArtifactRef> get_ref(const artifact_key& key) override {
      check();
      auto ref = inner_->get_ref(key);
      if (ref) {
        *ref = disguised(std::move(*ref));
      }
      return ref;
    }
    bool exists(const artifact_key& key) override {
      check();
      return inner_->exists(key);
    }
    bool remove(const artifact_key& key) override {
      check();
      return inner_->remove(key);
    }
    std::vector<v1::ArtifactRef> list(const list_query& query) override {
      check();
      auto refs = inner_->list(query);
      for (auto& ref : refs) {
        ref = disguised(std::move(ref));
      }
      return refs;
    }
    removal sweep(uint32_t limit) override {
      check();
      return inner_->sweep(limit);
    }
    usage_totals usage(const v1::Scope& filter) override {
      check();
      return inner_->usage(filter);
    }
    purge_batch purge(const v1::Scope& filter, uint32_t limit) override {
      check();
      return inner_->purge(filter, limit);
    }
    void begin_upload(const new_upload& upload) override {
      check();
      inner_->begin_upload(upload);
    }
    uint64_t append_upload(std::string_view id, uint64_t offset, std::string_view bytes,
                           micros expires_at) override {
      check();
      return inner_->append_upload(id, offset, bytes, expires_at);
    }
    std::optional<upload_record> find_upload(std::string_view id) override {
      check();
      return inner_->find_upload(id);
    }
    void read_upload(std::string_view id, uint64_t size,
                     const std::function<void(std::string_view)>& consume) override {
      check();
      inner_->read_upload(id, size, consume);
    }
    v1::ArtifactRef commit_upload(std::string_view id, const new_artifact& artifact,
                                  micros keep_until) override {
      check();
      return disguised(inner_->commit_upload(id, artifact, keep_until));
    }
    bool abort_upload(std::string_view id) override {
      check();
      return inner_->abort_upload(id);
    }
    uint64_t sweep_uploads(uint32_t limit) override {
      check();
      return inner_->sweep_uploads(limit);
    }
    uint64_t largest_artifact() const noexcept override { return inner_->largest_artifact(); }

   private:
    v1::ArtifactRef disguised(v1::ArtifactRef ref) const {
      if (owner_.foreign.load()) {
        ref.mutable_scope()->set_tenant("intruder");
      }
      return ref;
    }

    void check() {
      ++owner_.calls;
      if (auto delay = owner_.delay_us.load(); delay > 0) {
        std::this_thread::sleep_for(std::chrono::microseconds{delay});
      }
      ++owner_.calls_past_delay;
      if (owner_.broken.load()) {
        throw store_error(errc::unavailable, "test connection lost");
      }
    }

    instrumented_driver& owner_;
    std::unique_ptr<backend> inner_;
  };

  std::shared_ptr<driver> inner_;
};

}  // namespace artifacts::testing
