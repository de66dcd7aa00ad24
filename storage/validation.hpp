// Input validation shared by every driver. Each check throws store_error with
// a message that names the operation and the field.
#pragma once

#include <cstddef>
#include <string_view>

#include <artifact_store/v1/artifacts.pb.h>
#include <artifact_store/storage_options.hpp>

namespace artifacts {

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, nothing
// above U+10FFFF).
bool is_valid_utf8(std::string_view text) noexcept;

// Checks one caller string: no NUL byte, valid UTF-8, at most `max_bytes`.
// Throws invalid_argument naming `op` and `field`. An empty string passes.
void check_string(std::string_view op, std::string_view field, std::string_view value,
                  size_t max_bytes);

// Checks a scope that addresses one artifact: tenant, user and session must
// be non-blank (identity_required), task may be empty; every field must pass
// check_string (invalid_argument).
void check_identity(std::string_view op, const v1::Scope& scope, const limits& bounds);

// Checks a put's `source` before it is rendered as JSON: every key and
// string value passes check_string (no size bound of its own: the rendered
// JSON has one), every number is finite (JSON has no NaN or Infinity), every
// value holds one of the JSON kinds, and objects and lists nest at most
// min(bounds.max_source_depth, max_source_depth_ceiling) levels, the source
// object itself counting one. Throws invalid_argument naming `op` and
// "source". Walks no deeper than that bound, so a hostile source costs
// bounded stack whatever its depth.
void check_source(std::string_view op, const google::protobuf::Struct& source,
                  const limits& bounds);

// Checks a list filter: any field may be empty (a wildcard); non-empty ones
// must pass check_string.
void check_filter(std::string_view op, const v1::Scope& filter, const limits& bounds);

}  // namespace artifacts
