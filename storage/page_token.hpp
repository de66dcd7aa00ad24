// Opaque list page tokens.
#pragma once

#include <string>
#include <string_view>

#include <artifact_store/v1/artifacts.pb.h>

namespace artifacts {

// The token that continues a listing after `last` (the last ref of a page).
std::string encode_page_token(const v1::ArtifactRef& last);

// The cursor inside `token`. Throws store_error(invalid_argument), naming
// `op`, for a token the store did not issue: not hex, not a cursor, or a
// cursor holding a NUL byte.
v1::ListCursor decode_page_token(std::string_view op, std::string_view token);

}  // namespace artifacts
