#include "storage/fs/fs_guard.hpp"

#include <cerrno>
#include <new>
#include <string>
#include <system_error>

#include <artifact_store/errc.hpp>

namespace artifacts::fs {

namespace {

bool is_unavailable(const std::error_code& code) noexcept {
  if (code.category() != std::generic_category() && code.category() != std::system_category()) {
    return false;
  }
  switch (code.value()) {
    case ENOSPC:
    case EDQUOT:
    case EIO:
    case EACCES:
    case EPERM:
    case EROFS:
      return true;
    default:
      return false;
  }
}

}  // namespace

void guarded(std::string_view op, const std::function<void()>& body) {
  try {
    body();
  } catch (const store_error&) {
    throw;
  } catch (const std::system_error& failure) {
    throw store_error(is_unavailable(failure.code()) ? errc::unavailable : errc::internal,
                      std::string(op) + ": " + failure.what());
  } catch (const std::bad_alloc&) {
    throw store_error(errc::internal, std::string(op) + ": out of memory");
  } catch (const std::exception& failure) {
    throw store_error(errc::internal, std::string(op) + ": " + failure.what());
  }
}

}  // namespace artifacts::fs
