// The commands that walk a whole store: copy (from any store to any other)
// and verify (re-hash every stored payload).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <artifact_store/client.hpp>

namespace artifacts::cli {

// Re-reads every live artifact of `tenants` (every tenant when empty),
// hashes its bytes as they arrive, and prints one line of JSON for each
// artifact whose bytes or size do not match its ref:
//   {"corrupt":<ref>,"sha256":"<found>","size_bytes":<found>}
// then {"checked":N,"corrupt":N}. Progress on a terminal. An artifact deleted
// or expired while it is read is not counted. Exit 0 when nothing is
// corrupt, 3 when something is, or with the error when the store fails.
int run_verify(client& store, const std::vector<std::string>& tenants);

// Copies every live artifact of `tenants` (every tenant when empty) from
// `from` to `to`, with its scope, namespace, MIME type, file name, source and
// expiry; the destination checks each payload against the source's sha256,
// and the copy's id and digest must equal the source's. An artifact that
// `to` already holds with that digest is skipped, so that an interrupted
// copy run again goes on where it stopped and ends with every artifact
// present once. Artifacts larger than `part_bytes` stream as uploads in
// parts of that size. Prints {"copied":N,"skipped":N,"bytes":B} (bytes
// copied); progress on a terminal. Exit 0, or 3 at the first error, which
// names the artifact.
int run_copy(client& from, client& to, const std::vector<std::string>& tenants, size_t part_bytes);

}  // namespace artifacts::cli
