#include <filesystem>
#include <optional>
#include <string>

#include <google/protobuf/util/json_util.h>

#include <artifact_store/error.hpp>
#include <artifact_store/ref_json.hpp>

#include "cli/byte_streams.hpp"
#include "cli/data_commands.hpp"
#include "cli/durations.hpp"
#include "cli/exit_status.hpp"
#include "cli/progress_line.hpp"
#include "cli/report.hpp"

namespace artifacts::cli {

namespace {

bool parse_source(const std::string& json, google::protobuf::Struct* out) {
  return google::protobuf::util::JsonStringToMessage(json, out).ok();
}

// The put request for `flags`, without its data: everything but the bytes.
caf::expected<v1::PutRequest> request_for(const put_flags& flags) {
  v1::PutRequest request;
  *request.mutable_scope() = flags.scope.to_scope();
  request.set_namespace_(flags.name_space);
  request.set_mime_type(flags.mime_type);
  request.set_text(flags.text);
  if (!flags.filename.empty()) {
    request.set_filename(flags.filename);
  } else if (!flags.input.empty() && flags.input != "-") {
    request.set_filename(std::filesystem::path(flags.input).filename().string());
  }
  if (!flags.source.empty() && !parse_source(flags.source, request.mutable_source())) {
    return make_error(errc::invalid_argument, "put: " + check_source_json(flags.source));
  }
  if (auto ttl = parse_duration(flags.ttl)) {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(*ttl).count();
    request.mutable_ttl()->set_seconds(micros / 1'000'000);
    request.mutable_ttl()->set_nanos(static_cast<int32_t>(micros % 1'000'000) * 1'000);
  }
  if (auto at = parse_instant(flags.expires_at)) {
    *request.mutable_expires_at() = *at;
  }
  return request;
}

// Streams the input as one upload: first `head` (already read from it),
// then the rest of it.
int put_streamed(client& store, const put_flags& flags, v1::PutRequest metadata, byte_input& input,
                 std::string head) {
  size_t head_at = 0;
  auto source = [&](char* buffer, size_t capacity) -> caf::expected<size_t> {
    if (head_at < head.size()) {
      const auto n = head.copy(buffer, capacity, head_at);
      head_at += n;
      if (head_at == head.size()) {
        std::string().swap(head);
        head_at = 0;
      }
      return n;
    }
    return input.read(buffer, capacity);
  };
  progress_line progress{"put", input.size()};
  std::string upload_id = flags.upload_id;
  write_options options;
  options.part_bytes = static_cast<size_t>(flags.part_bytes);
  options.upload_id = flags.upload_id;
  options.begun = [&](const std::string& id) {
    upload_id = id;
    progress.note("put: upload " + id);
  };
  options.progress = [&](uint64_t stored) { progress.update(stored); };
  auto ref = store.write(std::move(metadata), source, options);
  progress.finish();
  if (!ref) {
    if (!upload_id.empty() && code_of(ref.error()) != errc::upload_not_found) {
      return report_error(code_of(ref.error()), message_of(ref.error()) + " (upload " + upload_id +
                                                    " stays open for a while: --upload-id " +
                                                    upload_id + " continues it)");
    }
    return report_error(ref.error());
  }
  return print_line(ref_to_json(*ref));
}

}  // namespace

std::string check_source_json(const std::string& json) {
  google::protobuf::Struct parsed;
  if (!parse_source(json, &parsed)) {
    return "--source expects a JSON object, such as '{\"tool\":\"grep\"}'";
  }
  return {};
}

int run_put(client& store, const put_flags& flags) {
  auto request = request_for(flags);
  if (!request) {
    return report_error(request.error());
  }
  auto input = byte_input::open("put", flags.input);
  if (!input) {
    return report_error(input.error());
  }
  // One byte more than a message carries tells whether the input is
  // larger: a small input keeps the one-message put.
  const auto limit = static_cast<size_t>(flags.part_bytes);
  std::string head(limit + 1, '\0');
  auto got = input->read(head.data(), head.size());
  if (!got) {
    return report_error(got.error());
  }
  head.resize(*got);
  if (head.size() > limit || !flags.upload_id.empty()) {
    return put_streamed(store, flags, std::move(*request), *input, std::move(head));
  }
  request->set_data(std::move(head));
  auto ref = store.put(std::move(*request));
  if (!ref) {
    return report_error(ref.error());
  }
  return print_line(ref_to_json(*ref));
}

}  // namespace artifacts::cli
