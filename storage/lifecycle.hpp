// Instants and expiry, the same for every driver: how the store keeps time,
// when an artifact counts as gone, and what a re-put does to an expiry.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <google/protobuf/timestamp.pb.h>

#include <artifact_store/v1/artifacts.pb.h>
#include <artifact_store/storage_options.hpp>

namespace artifacts {

// An instant as the store keeps it: microseconds since the Unix epoch, UTC.
// PostgreSQL's timestamptz has this precision, so every driver has it.
using micros = int64_t;

// The store's current instant, from options.clock (the system clock when
// none is set).
micros now_micros(const storage_options& options);
micros now_micros(const wall_clock& clock);

// The instant a Timestamp names, truncated to whole microseconds. The
// Timestamp must be valid (see check_put_expiry).
micros micros_of(const google::protobuf::Timestamp& at) noexcept;

// The Timestamp of an instant.
google::protobuf::Timestamp timestamp_of(micros at) noexcept;

// The expiry of a ref, or nullopt when it never expires.
std::optional<micros> expiry_of(const v1::ArtifactRef& ref) noexcept;

// Whether a ref is gone at `now`: it expires at or before `now`.
bool expired(const v1::ArtifactRef& ref, micros now) noexcept;

// The expiry after a re-put of live content: the later of the two, and no
// expiry (nullopt) beats any instant. A re-put never shortens an expiry.
std::optional<micros> merged_expiry(std::optional<micros> stored,
                                    std::optional<micros> incoming) noexcept;

// What a put does to the row it finds at its key.
enum class reput_action {
  keep,     // live, and its expiry stays: answer the row unchanged
  extend,   // live: answer the row with its expiry moved to the merged one
  replace,  // expired: the put stores its artifact anew over it
};

// The action for a put of `incoming` (created at incoming.created_at(),
// which is the put's "now") over the row `stored`.
reput_action reput_of(const v1::ArtifactRef& stored, const v1::ArtifactRef& incoming) noexcept;

// The expiry a put asks for, resolved at `now`: its absolute expires_at,
// now + its ttl, else now + the default time to live of namespace `ns`
// (options.default_ttl), else nullopt (never). Throws invalid_argument
// naming `op` when the request sets both, when the ttl is not positive or
// not a valid Duration, when the expiry is not a valid Timestamp (years 1
// to 9999), or when it is not after `now`.
std::optional<micros> requested_expiry(std::string_view op, const v1::PutRequest& request,
                                       std::string_view ns, const storage_options& options,
                                       micros now);

// Sets or clears ref.expires_at.
void set_expiry(v1::ArtifactRef& ref, std::optional<micros> at);

}  // namespace artifacts
