#include "storage/uploads.hpp"

#include <charconv>
#include <string>

#include <openssl/rand.h>

namespace artifacts {

namespace {

constexpr std::string_view expected_marker = "expected offset ";
constexpr size_t upload_id_bytes = 16;

}  // namespace

std::string make_upload_id() {
  unsigned char random[upload_id_bytes];
  if (RAND_bytes(random, sizeof random) != 1) {
    throw store_error(errc::internal, "begin_upload: the random generator failed");
  }
  static constexpr char digits[] = "0123456789abcdef";
  std::string id;
  id.reserve(2 * upload_id_bytes);
  for (unsigned char byte : random) {
    id.push_back(digits[byte >> 4]);
    id.push_back(digits[byte & 0x0f]);
  }
  return id;
}

bool is_upload_id(std::string_view id) noexcept {
  if (id.size() != 2 * upload_id_bytes) {
    return false;
  }
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

store_error upload_gone(std::string_view op, std::string_view id) {
  return store_error(errc::upload_not_found,
                     std::string(op) + ": no upload " + std::string(id) +
                         " is open: it was never begun, was aborted, or expired unfinished");
}

store_error chunk_misplaced(std::string_view id, uint64_t offset, uint64_t expected) {
  return store_error(errc::wrong_offset, "append: upload " + std::string(id) +
                                             " got a chunk at offset " + std::to_string(offset) +
                                             "; " + std::string(expected_marker) +
                                             std::to_string(expected));
}

std::optional<uint64_t> expected_offset_in(std::string_view message) noexcept {
  const auto at = message.rfind(expected_marker);
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  const auto digits = message.substr(at + expected_marker.size());
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || end != digits.data() + digits.size() || digits.empty()) {
    return std::nullopt;
  }
  return value;
}

store_error commit_collision(const v1::ArtifactRef& ref) {
  return store_error(
      errc::hash_collision,
      "commit: id " + ref.id() + " is already taken in this scope by content with another sha256");
}

store_error upload_committed(std::string_view op, std::string_view id) {
  return store_error(errc::invalid_argument, std::string(op) + ": upload " + std::string(id) +
                                                 " is committed; it takes no more chunks");
}

}  // namespace artifacts
