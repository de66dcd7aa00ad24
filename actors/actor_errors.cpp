#include "actors/actor_errors.hpp"

#include <artifact_store/error.hpp>

#include "storage/operations.hpp"

namespace artifacts {

std::string with_op(std::string_view op, std::string_view message) {
  std::string out;
  out.reserve(op.size() + 2 + message.size());
  out.append(op).append(": ").append(message);
  return out;
}

caf::error closed_error(std::string_view op) {
  return make_error(errc::store_closed, with_op(op, "the store is closed"));
}

caf::error digest_mismatch_error() {
  auto mismatch = digest_mismatch();
  return make_error(mismatch.code(), mismatch.what());
}

bool is_system_error(const caf::error& err, caf::sec code) noexcept {
  return err && err.category() == caf::atom("system") && err.code() == static_cast<uint8_t>(code);
}

}  // namespace artifacts
