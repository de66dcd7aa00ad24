#include "storage/sha256.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <array>
#include <new>

namespace artifacts {

namespace {

std::string hex_of(const std::array<unsigned char, SHA256_DIGEST_LENGTH>& digest) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(digest.size() * 2, '0');
  for (size_t i = 0; i < digest.size(); ++i) {
    out[2 * i] = hex[digest[i] >> 4];
    out[2 * i + 1] = hex[digest[i] & 0x0f];
  }
  return out;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest.data());
  return hex_of(digest);
}

void sha256_stream::context_deleter::operator()(evp_md_ctx_st* context) const noexcept {
  EVP_MD_CTX_free(context);
}

sha256_stream::sha256_stream() : context_(EVP_MD_CTX_new()) {
  if (!context_ || EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr) != 1) {
    throw std::bad_alloc();
  }
}

sha256_stream::~sha256_stream() = default;

void sha256_stream::update(std::string_view bytes) {
  // Cannot fail for SHA-256 on an initialised context.
  (void)EVP_DigestUpdate(context_.get(), bytes.data(), bytes.size());
}

std::string sha256_stream::finish() {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  (void)EVP_DigestFinal_ex(context_.get(), digest.data(), nullptr);
  return hex_of(digest);
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
