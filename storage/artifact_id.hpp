// The content-addressing rule: namespaces and artifact ids.
#pragma once

#include <string>
#include <string_view>

namespace artifacts {

inline constexpr std::string_view default_namespace = "default";
inline constexpr std::string_view default_mime_type = "application/octet-stream";
inline constexpr std::string_view default_text_mime_type = "text/plain; charset=utf-8";

// Number of hex digest characters an id carries (48 bits).
inline constexpr size_t id_digest_chars = 12;

// `ns`, or "default" when `ns` is empty.
std::string_view effective_namespace(std::string_view ns) noexcept;

// "{ns}_{first 12 chars of sha256_hex}". `ns` must already be effective and
// `sha256_hex` a full digest.
std::string standard_artifact_id(std::string_view ns, std::string_view sha256_hex);

// The namespace an id was made in: everything before its last '_'. Empty when
// the id holds no '_' (such an id names nothing the store made).
std::string_view namespace_of_id(std::string_view id) noexcept;

}  // namespace artifacts
