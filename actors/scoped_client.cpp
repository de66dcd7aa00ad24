#include <artifact_store/scoped_client.hpp>

#include <stdexcept>
#include <utility>

#include <artifact_store/errc.hpp>
#include <artifact_store/error.hpp>

#include "storage/operation_names.hpp"
#include "storage/validation.hpp"

namespace artifacts {

namespace {

bool same_identity(const v1::Scope& a, const v1::Scope& b) {
  return a.tenant() == b.tenant() && a.user() == b.user() && a.session() == b.session();
}

bool same_scope(const v1::Scope& a, const v1::Scope& b) {
  return same_identity(a, b) && a.task() == b.task();
}

// Whether `ref` may appear in a listing of `bound`: an empty bound task lists
// every task of the session.
bool within(const v1::Scope& bound, const v1::Scope& scope) {
  return same_identity(bound, scope) && (bound.task().empty() || bound.task() == scope.task());
}

caf::error mismatch(std::string_view op, const std::string& id) {
  std::string message(op);
  message += ": the store answered with artifact ";
  message += id;
  message += " of another scope";
  return make_error(errc::scope_mismatch, std::move(message));
}

}  // namespace

scoped_client::scoped_client(std::shared_ptr<client> store, v1::Scope scope)
    : store_(std::move(store)), scope_(std::move(scope)) {
  if (store_ == nullptr) {
    throw std::invalid_argument("scoped_client: the client is null");
  }
  try {
    check_identity("scoped_client", scope_, limits{});
  } catch (const store_error& e) {
    throw std::invalid_argument(e.what());
  }
}

caf::expected<v1::ArtifactRef> scoped_client::put(v1::PutRequest request) const {
  *request.mutable_scope() = scope_;
  return checked(store_->put(std::move(request)));
}

caf::expected<v1::ArtifactRef> scoped_client::write(v1::PutRequest metadata,
                                                    const byte_source& source,
                                                    write_options options) const {
  *metadata.mutable_scope() = scope_;
  return checked(store_->write(std::move(metadata), source, std::move(options)));
}

caf::expected<v1::ArtifactRef> scoped_client::put_text(v1::PutRequest request) const {
  request.set_text(true);
  return put(std::move(request));
}

caf::expected<v1::Blob> scoped_client::get(const std::string& id) const {
  return store_->get(key(id));
}

caf::expected<v1::RefResult> scoped_client::get_ref(const std::string& id) const {
  auto result = store_->get_ref(key(id));
  if (result && result->found() && !same_scope(result->ref().scope(), scope_)) {
    return mismatch(op_names::get_ref, result->ref().id());
  }
  return result;
}

caf::expected<v1::BlobRange> scoped_client::get_range(const std::string& id, int64_t offset,
                                                      std::optional<int64_t> length) const {
  return store_->get_range(key(id), offset, length);
}

caf::expected<bool> scoped_client::read(
    const std::string& id, const std::function<caf::error(std::string_view part)>& consume,
    read_options options) const {
  return store_->read(key(id), consume, options);
}

caf::expected<bool> scoped_client::exists(const std::string& id) const {
  return store_->exists(key(id));
}

caf::expected<bool> scoped_client::remove(const std::string& id) const {
  return store_->remove(key(id));
}

caf::expected<v1::RefList> scoped_client::list(uint32_t limit, std::string page_token) const {
  v1::ListRequest request;
  *request.mutable_filter() = scope_;
  request.set_limit(limit);
  request.set_page_token(std::move(page_token));
  auto result = store_->list(request);
  if (result) {
    for (const auto& ref : result->refs()) {
      if (!within(scope_, ref.scope())) {
        return mismatch(op_names::list, ref.id());
      }
    }
  }
  return result;
}

v1::Key scoped_client::key(const std::string& id) const {
  v1::Key out;
  *out.mutable_scope() = scope_;
  out.set_id(id);
  return out;
}

caf::expected<v1::ArtifactRef> scoped_client::checked(caf::expected<v1::ArtifactRef> ref) const {
  if (ref && !same_scope(ref->scope(), scope_)) {
    return mismatch(op_names::put, ref->id());
  }
  return ref;
}

}  // namespace artifacts
