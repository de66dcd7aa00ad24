// Where the filesystem driver keeps an artifact: the names derived from a
// scope, a namespace and an id.
//
// A value (a scope field, a namespace, an id) becomes one or more names. Its
// bytes are escaped so that names hold only lowercase ASCII letters, digits
// and "-._%": every other byte, including uppercase letters, becomes "%xx"
// in lowercase hex. Names therefore survive case-folding filesystems and
// never contain "/" or NUL. Each name starts with a marker: '_' on a value's
// last name, '+' on every name before it. An escaped value longer than
// fs_chunk_chars is split over several nested names, so that no name exceeds
// NAME_MAX; a name is never empty, ".", ".." or a name starting with '.'
// (those are the driver's own files: temporaries and the lock).
//
// Unescaping inverts escaping, so distinct values give distinct name
// sequences and distinct (scope, namespace, id) tuples give distinct paths;
// since every name is a plain child name, every path stays under the root.
// filename is metadata only and never becomes a name.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <artifact_store/v1/artifacts.pb.h>

namespace artifacts::fs {

// The most escaped characters one name carries after its marker.
inline constexpr size_t fs_chunk_chars = 200;

inline constexpr char final_marker = '_';
inline constexpr char continued_marker = '+';

// The suffixes of an artifact's two files, and the prefix of temporary files.
inline constexpr std::string_view bytes_suffix = ".bin";
inline constexpr std::string_view ref_suffix = ".json";
inline constexpr std::string_view temp_prefix = ".tmp-";

// The names `value` becomes, outermost first; never empty.
std::vector<std::string> encode_value(std::string_view value);

// The value behind `escaped`, the concatenated names of one value without
// their markers (and without a file suffix); nullopt when `escaped` is not
// something encode_value produces.
std::optional<std::string> decode_escaped(std::string_view escaped);

// An artifact's place, relative to the tree root (ROOT/v1): the folders from
// the root down to its own, and the stem of its files (stem + bytes_suffix,
// stem + ref_suffix).
struct location {
  std::vector<std::string> folders;
  std::string stem;
};

// The folders below the root are tenant, user, session, task and namespace,
// then the id: all but the id's last name are folders, its last name is the
// stem.
location locate(const v1::Scope& scope, std::string_view ns, std::string_view id);

}  // namespace artifacts::fs
