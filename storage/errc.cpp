#include <artifact_store/errc.hpp>

namespace artifacts {

const char* to_string(errc code) noexcept {
  switch (code) {
    case errc::identity_required:
      return "identity_required";
    case errc::invalid_argument:
      return "invalid_argument";
    case errc::too_large:
      return "too_large";
    case errc::hash_collision:
      return "hash_collision";
    case errc::store_closed:
      return "store_closed";
    case errc::unavailable:
      return "unavailable";
    case errc::unknown_driver:
      return "unknown_driver";
    case errc::scope_mismatch:
      return "scope_mismatch";
    case errc::internal:
      return "internal";
    case errc::quota_exceeded:
      return "quota_exceeded";
    case errc::upload_not_found:
      return "upload_not_found";
    case errc::wrong_offset:
      return "wrong_offset";
  }
  return "unknown";
}

}  // namespace artifacts
