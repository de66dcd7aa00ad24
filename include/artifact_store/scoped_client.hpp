// A client bound to one scope.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include <artifact_store/client.hpp>

namespace artifacts {

// Binds one owner scope to a shared client: every call is stamped with that
// scope, and every ref the store returns is checked to belong to it (a
// mismatch is a driver bug, reported as scope_mismatch). Immutable: copies are
// cheap and thread-safe.
class scoped_client {
 public:
  // Throws std::invalid_argument when `store` is null or `scope` is not a
  // valid identity (blank tenant, user or session; NUL; invalid UTF-8).
  scoped_client(std::shared_ptr<client> store, v1::Scope scope);

  // The bound scope, by value.
  v1::Scope scope() const { return scope_; }

  // The request's own scope is ignored: the bound one is stamped instead.
  caf::expected<v1::ArtifactRef> put(v1::PutRequest request) const;
  caf::expected<v1::ArtifactRef> put_text(v1::PutRequest request) const;
  caf::expected<v1::Blob> get(const std::string& id) const;
  caf::expected<v1::RefResult> get_ref(const std::string& id) const;
  // client::get_range and client::read of the artifact `id` of the bound
  // scope.
  caf::expected<v1::BlobRange> get_range(const std::string& id, int64_t offset,
                                         std::optional<int64_t> length = std::nullopt) const;
  caf::expected<bool> read(const std::string& id,
                           const std::function<caf::error(std::string_view part)>& consume,
                           read_options options = {}) const;
  // client::write into the bound scope: metadata's own scope is ignored.
  caf::expected<v1::ArtifactRef> write(v1::PutRequest metadata, const byte_source& source,
                                       write_options options = {}) const;
  caf::expected<bool> exists(const std::string& id) const;
  caf::expected<bool> remove(const std::string& id) const;
  // Lists the bound scope (all of its tasks when the bound task is empty).
  caf::expected<v1::RefList> list(uint32_t limit = 0, std::string page_token = {}) const;

 private:
  v1::Key key(const std::string& id) const;
  caf::expected<v1::ArtifactRef> checked(caf::expected<v1::ArtifactRef> ref) const;

  std::shared_ptr<client> store_;
  v1::Scope scope_;
};

}  // namespace artifacts
