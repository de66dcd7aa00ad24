#include "storage/sha256.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <array>

namespace artifacts {

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest.data());
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(digest.size() * 2, '0');
  for (size_t i = 0; i < digest.size(); ++i) {
    out[2 * i] = hex[digest[i] >> 4];
    out[2 * i + 1] = hex[digest[i] & 0x0f];
  }
  return out;
}

void release_thread_hashing_state() noexcept {
  OPENSSL_thread_stop();
}

bool is_sha256_hex(std::string_view digest) noexcept {
  if (digest.size() != 2 * SHA256_DIGEST_LENGTH) {
    return false;
  }
  for (char c : digest) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

}  // namespace artifacts
