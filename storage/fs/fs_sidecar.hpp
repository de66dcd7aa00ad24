// The sidecar: an artifact's ref as JSON (protobuf's JSON mapping), the
// file whose presence commits the artifact.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <artifact_store/v1/artifacts.pb.h>

namespace artifacts::fs {

// The sidecar text of `ref`. Throws store_error(internal) naming `op` when
// the ref cannot be rendered.
std::string sidecar_json(std::string_view op, const v1::ArtifactRef& ref);

// The ref that sidecar text `json` holds, or nullopt when `json` is not the
// JSON mapping of an ArtifactRef, or is one whose scope, namespace or id
// holds a NUL byte (no put stores one, and a listing could not continue
// after it): a damaged or foreign file, whose artifact is not stored.
// Accepts any bytes; throws nothing but std::bad_alloc. The inverse of
// sidecar_json: a ref it renders parses back to an equal ref.
std::optional<v1::ArtifactRef> parse_sidecar(std::string_view json);

// The ref in the sidecar `stem` + ref_suffix inside `folder`, expected to
// describe the artifact (scope, ns, id). nullopt when there is no sidecar or
// it does not parse: such an artifact is not (or not yet) stored. Throws
// store_error(internal) naming `op` when it parses but describes another
// artifact, std::system_error when it cannot be read.
std::optional<v1::ArtifactRef> read_sidecar(std::string_view op, int folder,
                                            const std::string& stem, const v1::Scope& scope,
                                            std::string_view ns, std::string_view id);

}  // namespace artifacts::fs
