#include <artifact_store/version.hpp>

namespace artifacts {

const char* library_version() noexcept {
  return ARTIFACT_STORE_VERSION_STRING;
}

}  // namespace artifacts
