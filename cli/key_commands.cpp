#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include <artifact_store/error.hpp>
#include <artifact_store/ref_json.hpp>

#include "cli/byte_streams.hpp"
#include "cli/data_commands.hpp"
#include "cli/exit_status.hpp"
#include "cli/report.hpp"

namespace artifacts::cli {

namespace {

v1::Key key_of(const key_flags& flags) {
  v1::Key key;
  *key.mutable_scope() = flags.scope.to_scope();
  key.set_id(flags.id);
  return key;
}

}  // namespace

namespace {

// The whole artifact in one get: what a node of version 0.1, which knows no
// ranges, serves.
int get_whole(client& store, const v1::Key& key, const std::string& output) {
  auto blob = store.get(key);
  if (!blob) {
    return report_error(blob.error());
  }
  if (!blob->found()) {
    return exit_not_found;
  }
  if (auto err = write_output("get", blob->data(), output)) {
    return report_error(err);
  }
  return exit_ok;
}

// Opens `sink` on `output` unless it is open: a get opens its output only
// once it has something to write, so that not found creates no file.
caf::error open_once(std::optional<byte_sink>& sink, const std::string& output) {
  if (sink) {
    return {};
  }
  auto opened = byte_sink::open("get", output);
  if (!opened) {
    return std::move(opened.error());
  }
  sink.emplace(std::move(*opened));
  return {};
}

}  // namespace

int run_get(client& store, const key_flags& flags, const std::string& output) {
  const auto key = key_of(flags);
  std::optional<byte_sink> sink;
  // In parts, each written out as it arrives, so that memory stays bounded
  // whatever the artifact's size; the parts' digest is checked at the end.
  auto found = store.read(key, [&](std::string_view part) -> caf::error {
    if (auto err = open_once(sink, output)) {
      return err;
    }
    return sink->write(part);
  });
  if (!found) {
    if (!sink && code_of(found.error()) == errc::internal) {
      return get_whole(store, key, output);
    }
    if (sink) {
      sink->discard();
    }
    return report_error(found.error());
  }
  if (!*found) {
    return exit_not_found;
  }
  if (auto err = open_once(sink, output)) {  // an empty artifact consumed no part
    return report_error(err);
  }
  if (auto err = sink->close()) {
    return report_error(err);
  }
  return exit_ok;
}

int run_get_range(client& store, const key_flags& flags, const range_flags& range,
                  const std::string& output) {
  constexpr auto most = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  const auto key = key_of(flags);
  uint64_t at = std::min(range.offset, most);
  std::optional<uint64_t> left;
  if (range.has_length) {
    left = std::min(range.length, most);
  }
  std::optional<byte_sink> sink;
  uint64_t written = 0;
  // Each answer carries at most the store's largest payload: ask again from
  // where it ends until the range is written.
  for (;;) {
    std::optional<int64_t> length;
    if (left) {
      length = static_cast<int64_t>(*left);
    }
    auto part = store.get_range(key, static_cast<int64_t>(at), length);
    if (!part) {
      return report_error(part.error());
    }
    if (!part->found()) {
      if (!sink) {
        return exit_not_found;
      }
      return report_error(make_error(
          errc::unavailable, "get: the artifact was deleted or expired while it was read; " +
                                 std::to_string(written) + " bytes were written"));
    }
    if (auto err = open_once(sink, output)) {
      return report_error(err);
    }
    if (auto err = sink->write(part->data())) {
      return report_error(err);
    }
    const uint64_t count = part->data().size();
    written += count;
    at += count;
    if (left) {
      *left -= std::min(*left, count);
    }
    const auto size = static_cast<uint64_t>(part->size_bytes());
    if (count == 0 || at >= size || (left && *left == 0)) {
      break;
    }
  }
  if (auto err = sink->close()) {
    return report_error(err);
  }
  return exit_ok;
}

int run_stat(client& store, const key_flags& flags) {
  auto result = store.get_ref(key_of(flags));
  if (!result) {
    return report_error(result.error());
  }
  if (!result->found()) {
    return exit_not_found;
  }
  return print_line(ref_to_json(result->ref()));
}

int run_exists(client& store, const key_flags& flags) {
  auto exists = store.exists(key_of(flags));
  if (!exists) {
    return report_error(exists.error());
  }
  if (auto status = print_line(*exists ? "true" : "false"); status != exit_ok) {
    return status;
  }
  return *exists ? exit_ok : exit_not_found;
}

int run_rm(client& store, const key_flags& flags) {
  auto existed = store.remove(key_of(flags));
  if (!existed) {
    return report_error(existed.error());
  }
  return *existed ? exit_ok : exit_not_found;
}

}  // namespace artifacts::cli
