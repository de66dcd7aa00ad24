#include "scenarios/crash_stream.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <set>

#include <catch2/catch.hpp>

#include "scenarios/requests.hpp"
#include "storage/sha256.hpp"

namespace artifacts::testing {

namespace {

const std::string filename_prefix = "artifact-";

// The stream index a listed ref stands for, or -1 when its filename is not
// one the stream gives.
int index_of(const v1::ArtifactRef& ref) {
  const auto& name = ref.filename();
  if (name.rfind(filename_prefix, 0) != 0 || name.size() == filename_prefix.size()) {
    return -1;
  }
  int index = 0;
  for (size_t i = filename_prefix.size(); i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9' || index > 100000000) {
      return -1;
    }
    index = index * 10 + (name[i] - '0');
  }
  return index;
}

}  // namespace

std::string stream_bytes(int index) {
  static const size_t sizes[] = {0, 17, 1000, 4096, 65536, 262144, 524288};
  const size_t size = sizes[index % 7] + static_cast<size_t>(index % 97);
  std::string bytes = "artifact " + std::to_string(index) + "\n";
  const size_t head = bytes.size();
  if (size > head) {
    // Four random bytes per draw, written in place: the stream is rebuilt
    // for every check, and byte by byte it dominated the slower builds.
    bytes.resize(size);
    std::mt19937 rng(static_cast<uint32_t>(index));
    for (size_t at = head; at < size; at += sizeof(uint32_t)) {
      const uint32_t word = static_cast<uint32_t>(rng());
      std::memcpy(&bytes[at], &word, std::min(sizeof word, size - at));
    }
  }
  // The first one is empty: still distinct, there is only one.
  return index == 0 ? std::string() : bytes;
}

v1::Scope stream_scope(int index) {
  return scenarios::make_scope("tenant-" + std::to_string(index % 3), "user", "session",
                               index % 2 == 0 ? "" : "task");
}

std::string stream_namespace(int index) {
  return index % 4 == 0 ? "" : "stream";
}

v1::PutRequest stream_request(int index) {
  return scenarios::put_request(stream_scope(index), stream_bytes(index), stream_namespace(index),
                                filename_prefix + std::to_string(index));
}

void check_after_crash(const stored_stream& store, const std::map<int, std::string>& acknowledged,
                       size_t in_flight) {
  std::map<int, std::string> present;  // index -> listed id
  for (const auto& ref : store.listed) {
    INFO("listed " << ref.ShortDebugString());
    const int index = index_of(ref);
    REQUIRE(index >= 0);
    CHECK(present.emplace(index, ref.id()).second);
    CHECK(ref.scope().SerializeAsString() == stream_scope(index).SerializeAsString());
    const auto bytes = store.fetch(ref);
    REQUIRE(bytes.has_value());
    CHECK(static_cast<int64_t>(bytes->size()) == ref.size_bytes());
    CHECK(sha256_hex(*bytes) == ref.sha256());
    CHECK(*bytes == stream_bytes(index));
  }
  size_t acknowledged_present = 0;
  for (const auto& [index, id] : acknowledged) {
    INFO("acknowledged put " << index << " (" << id << ")");
    auto found = present.find(index);
    REQUIRE(found != present.end());
    CHECK(found->second == id);
    ++acknowledged_present;
  }
  // Whatever was not acknowledged is at most the puts in flight.
  CHECK(present.size() - acknowledged_present <= in_flight);
}

}  // namespace artifacts::testing
