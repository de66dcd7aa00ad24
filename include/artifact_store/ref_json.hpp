// JSON renderings of wire messages, all through protobuf's JSON mapping.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <artifact_store/v1/artifacts.pb.h>

namespace artifacts {

// Renders `ref` as one line of JSON with the proto field names ("mime_type",
// "size_bytes", ...). Deterministic: the keys of `source` come sorted, so the
// same ref always renders the same text. Never fails.
std::string ref_to_json(const v1::ArtifactRef& ref);

// Renders a source object as JSON text with sorted keys, or "null" when
// `source` is null (the stored form of "no source").
std::string source_to_json(const google::protobuf::Struct* source);

// Parses stored source JSON into `out`. "null" (or empty text) means no
// source: returns true and leaves `out` untouched. Returns false when `json` is
// not a JSON object or null.
bool source_from_json(std::string_view json, google::protobuf::Struct* out);

}  // namespace artifacts
