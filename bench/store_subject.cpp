#include "bench/store_subject.hpp"

#include <stdexcept>
#include <utility>

#include <artifact_store/error.hpp>

namespace artifacts::bench {

namespace {

class store_caller final : public caller {
 public:
  store_caller(client& shared, const run_scope& where) : client_(shared), where_(where) {
    *key_.mutable_scope() = where.scope;
  }

  std::string put(std::string bytes) override {
    v1::PutRequest request;
    *request.mutable_scope() = where_.scope;
    request.set_namespace_(where_.name_space);
    request.set_data(std::move(bytes));
    auto ref = client_.put(std::move(request));
    if (!ref) {
      throw store_error(code_of(ref.error()), describe(ref.error()));
    }
    return ref->id();
  }

  size_t get(const std::string& id) override {
    key_.set_id(id);
    auto blob = client_.get(key_);
    if (!blob) {
      throw store_error(code_of(blob.error()), describe(blob.error()));
    }
    if (!blob->found()) {
      throw std::runtime_error("get: artifact " + id + " not found");
    }
    return blob->data().size();
  }

 private:
  client& client_;
  const run_scope& where_;
  v1::Key key_;
};

class store_subject final : public subject {
 public:
  store_subject(client& shared, run_scope where) : client_(shared), where_(std::move(where)) {}

  std::string label() const override { return "store"; }

  std::unique_ptr<caller> open_caller() override {
    return std::make_unique<store_caller>(client_, where_);
  }

 private:
  client& client_;
  run_scope where_;
};

}  // namespace

std::unique_ptr<subject> make_store_subject(client& shared, run_scope where) {
  return std::make_unique<store_subject>(shared, std::move(where));
}

}  // namespace artifacts::bench
