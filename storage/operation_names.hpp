// The names of the store's operations, as every error message starts with
// them ("get_ref: …"; docs/design.md §3) and the logs print them. Written
// here once for the storage and the actor layer alike.
#pragma once

#include <string_view>

namespace artifacts::op_names {

inline constexpr std::string_view put = "put";
inline constexpr std::string_view put_text = "put_text";
inline constexpr std::string_view get = "get";
inline constexpr std::string_view get_ref = "get_ref";
inline constexpr std::string_view get_range = "get_range";
inline constexpr std::string_view exists = "exists";
inline constexpr std::string_view remove = "delete";
inline constexpr std::string_view list = "list";
inline constexpr std::string_view sweep = "sweep";
inline constexpr std::string_view purge = "purge";
inline constexpr std::string_view usage = "usage";
inline constexpr std::string_view begin_upload = "begin_upload";
inline constexpr std::string_view append = "append";
inline constexpr std::string_view upload_status = "upload_status";
inline constexpr std::string_view commit = "commit";
inline constexpr std::string_view abort_upload = "abort_upload";

// put or put_text, after the request's text flag.
constexpr std::string_view put_of(bool text) noexcept {
  return text ? put_text : put;
}

}  // namespace artifacts::op_names
