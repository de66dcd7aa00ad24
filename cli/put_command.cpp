#include <filesystem>

#include <google/protobuf/util/json_util.h>

#include <artifact_store/ref_json.hpp>

#include "cli/byte_streams.hpp"
#include "cli/data_commands.hpp"
#include "cli/durations.hpp"
#include "cli/exit_status.hpp"
#include "cli/report.hpp"

namespace artifacts::cli {

namespace {

bool parse_source(const std::string& json, google::protobuf::Struct* out) {
  return google::protobuf::util::JsonStringToMessage(json, out).ok();
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
  auto data = read_input("put", flags.input);
  if (!data) {
    return report_error(data.error());
  }
  v1::PutRequest request;
  *request.mutable_scope() = flags.scope.to_scope();
  request.set_data(std::move(*data));
  request.set_namespace_(flags.name_space);
  request.set_mime_type(flags.mime_type);
  if (!flags.filename.empty()) {
    request.set_filename(flags.filename);
  } else if (!flags.input.empty() && flags.input != "-") {
    request.set_filename(std::filesystem::path(flags.input).filename().string());
  }
  if (!flags.source.empty() && !parse_source(flags.source, request.mutable_source())) {
    return report_error(errc::invalid_argument, "put: " + check_source_json(flags.source));
  }
  if (auto ttl = parse_duration(flags.ttl)) {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(*ttl).count();
    request.mutable_ttl()->set_seconds(micros / 1'000'000);
    request.mutable_ttl()->set_nanos(static_cast<int32_t>(micros % 1'000'000) * 1'000);
  }
  if (auto at = parse_instant(flags.expires_at)) {
    *request.mutable_expires_at() = *at;
  }
  auto ref = flags.text ? store.put_text(std::move(request)) : store.put(std::move(request));
  if (!ref) {
    return report_error(ref.error());
  }
  return print_line(ref_to_json(*ref));
}

}  // namespace artifacts::cli
