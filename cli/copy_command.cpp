#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include <google/protobuf/util/time_util.h>

#include <artifact_store/error.hpp>

#include "cli/artifact_walk.hpp"
#include "cli/exit_status.hpp"
#include "cli/progress_line.hpp"
#include "cli/report.hpp"
#include "cli/transfer_commands.hpp"
#include "storage/sha256.hpp"

namespace artifacts::cli {

namespace {

using google::protobuf::util::TimeUtil;

// What to put for the artifact `ref` describes, without its bytes.
v1::PutRequest metadata_of(const v1::ArtifactRef& ref) {
  v1::PutRequest request;
  *request.mutable_scope() = ref.scope();
  request.set_namespace_(ref.namespace_());
  request.set_mime_type(ref.mime_type());
  request.set_filename(ref.filename());
  if (ref.has_source()) {
    *request.mutable_source() = ref.source();
  }
  if (ref.has_expires_at()) {
    *request.mutable_expires_at() = ref.expires_at();
  }
  request.set_sha256(ref.sha256());
  return request;
}

bool expired(const v1::ArtifactRef& ref) {
  return ref.has_expires_at() && ref.expires_at() <= TimeUtil::GetCurrentTime();
}

// Whether `to` holds the artifact already, with the same digest. An
// artifact under the same key with other bytes is a collision: an error.
caf::expected<bool> already_copied(client& to, const v1::ArtifactRef& ref) {
  auto held = to.get_ref(key_of(ref));
  if (!held) {
    return std::move(held.error());
  }
  if (!held->found()) {
    return false;
  }
  if (held->ref().sha256() != ref.sha256()) {
    return make_error(errc::hash_collision, "copy: " + artifact_name(ref) +
                                                ": the destination holds other bytes under "
                                                "this id (sha256 " +
                                                held->ref().sha256() + ")");
  }
  return true;
}

// A byte_source reading the artifact at `key` from `from`, a range at a time.
class range_reader {
 public:
  range_reader(client& from, v1::Key key) : from_(from), key_(std::move(key)) {}

  caf::expected<size_t> operator()(char* buffer, size_t capacity) {
    auto range = from_.get_range(key_, offset_, static_cast<int64_t>(capacity));
    if (!range) {
      return std::move(range.error());
    }
    if (!range->found()) {
      return make_error(errc::unavailable,
                        "the artifact was deleted at the source while it was copied");
    }
    std::memcpy(buffer, range->data().data(), range->data().size());
    offset_ += static_cast<int64_t>(range->data().size());
    return range->data().size();
  }

 private:
  client& from_;
  v1::Key key_;
  int64_t offset_ = 0;
};

// Copies one artifact: in one put when it is small, else as an upload.
// The ref the destination answers; nullopt when the source no longer holds
// the artifact; or the first error.
caf::expected<std::optional<v1::ArtifactRef>> copy_one(client& from, client& to,
                                                       const v1::ArtifactRef& ref,
                                                       size_t part_bytes) {
  auto request = metadata_of(ref);
  if (static_cast<uint64_t>(ref.size_bytes()) <= part_bytes) {
    auto blob = from.get(key_of(ref));
    if (!blob) {
      return std::move(blob.error());
    }
    if (!blob->found()) {
      return std::nullopt;
    }
    // The destination checks the bytes against request.sha256, the digest
    // the source recorded: bytes that changed at the source are refused.
    request.set_data(std::move(*blob->mutable_data()));
    auto stored = to.put(std::move(request));
    if (!stored) {
      return std::move(stored.error());
    }
    return std::optional<v1::ArtifactRef>{std::move(*stored)};
  }
  write_options options;
  options.part_bytes = part_bytes;
  auto stored = to.write(std::move(request), range_reader{from, key_of(ref)}, options);
  if (!stored) {
    return std::move(stored.error());
  }
  return std::optional<v1::ArtifactRef>{std::move(*stored)};
}

}  // namespace

int run_copy(client& from, client& to, const std::vector<std::string>& tenants, size_t part_bytes) {
  uint64_t copied = 0;
  uint64_t skipped = 0;
  uint64_t bytes = 0;
  progress_line progress{"copy", std::nullopt};
  auto err = for_each_artifact(from, tenants, [&](const v1::ArtifactRef& ref) -> caf::error {
    auto held = already_copied(to, ref);
    if (!held) {
      return std::move(held.error());
    }
    if (*held) {
      ++skipped;
      return caf::none;
    }
    if (expired(ref)) {
      return caf::none;  // gone for every reader since it was listed
    }
    auto copy = copy_one(from, to, ref, part_bytes);
    if (!copy && code_of(copy.error()) == errc::invalid_argument && expired(ref)) {
      return caf::none;  // it expired while it was copied: the put was refused for that
    }
    if (!copy) {
      return make_error(code_of(copy.error()),
                        "copy: " + artifact_name(ref) + ": " + message_of(copy.error()));
    }
    if (!*copy) {
      return caf::none;  // deleted at the source since it was listed
    }
    const v1::ArtifactRef* stored = &**copy;
    if (stored->id() != ref.id() || stored->sha256() != ref.sha256() ||
        stored->size_bytes() != ref.size_bytes()) {
      return make_error(errc::internal, "copy: " + artifact_name(ref) +
                                            ": the destination stored it as " + stored->id() +
                                            " with sha256 " + stored->sha256() +
                                            " (another id rule?)");
    }
    ++copied;
    progress.update(bytes += static_cast<uint64_t>(ref.size_bytes()));
    return caf::none;
  });
  progress.finish();
  if (err) {
    return report_error(err);
  }
  return print_line("{\"copied\":" + std::to_string(copied) + ",\"skipped\":" +
                    std::to_string(skipped) + ",\"bytes\":" + std::to_string(bytes) + "}");
}

}  // namespace artifacts::cli
