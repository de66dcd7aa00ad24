// SHA-256 through OpenSSL.
#pragma once

#include <string>
#include <string_view>

namespace artifacts {

// The SHA-256 digest of `bytes` as 64 lowercase hex characters.
std::string sha256_hex(std::string_view bytes);

// True when `digest` is exactly 64 lowercase hex characters.
bool is_sha256_hex(std::string_view digest) noexcept;

}  // namespace artifacts
