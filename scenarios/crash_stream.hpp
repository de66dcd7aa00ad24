// The stream of puts that crash tests write and kill, and the check of what a
// store holds after the crash. Shared by the crash tests of an in-process
// writer (storage drivers driven directly) and of a node killed mid-stream
// (reached over remoting), so that both hold stores to the same standard.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <artifact_store/v1/artifacts.pb.h>

namespace artifacts::testing {

// The bytes of artifact `index` of the stream: distinct for every index,
// pseudo-random after a short header naming the index, of a size that varies
// with the index from empty (index 0 only) to half a MiB.
std::string stream_bytes(int index);

// The scope artifact `index` is put under: one of three tenants, with and
// without a task.
v1::Scope stream_scope(int index);

// Its namespace: the default one for every fourth index, "stream" otherwise.
std::string stream_namespace(int index);

// The put of artifact `index`: its bytes, scope and namespace, and the
// filename "artifact-<index>", by which check_after_crash recognises it.
v1::PutRequest stream_request(int index);

// What a store lists after a crash, and how to read the bytes of a listed
// artifact: `fetch` returns them, or nullopt when the store does not find
// the artifact.
struct stored_stream {
  std::vector<v1::ArtifactRef> listed;
  std::function<std::optional<std::string>(const v1::ArtifactRef&)> fetch;
};

// Checks, as Catch2 assertions, a store whose writers were killed in the
// middle of the stream:
// - every listed artifact is one of the stream's, listed once, under its own
//   scope, and whole: its bytes are found, are the stream's bytes for its
//   index, and agree with the listed size and sha256;
// - every acknowledged put (stream index -> id) is listed with that id;
// - at most `in_flight` artifacts are present that were never acknowledged
//   (one per writer: the put each had in flight when it died).
// Artifacts outside the stream must not be in the store.
void check_after_crash(const stored_stream& store, const std::map<int, std::string>& acknowledged,
                       size_t in_flight);

}  // namespace artifacts::testing
