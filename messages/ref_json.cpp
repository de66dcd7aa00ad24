#include "messages/ref_json.hpp"

#include <google/protobuf/util/json_util.h>

namespace artifacts {

namespace {

std::string to_json(const google::protobuf::Message& msg) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out;
  // Printing a well-formed message cannot fail; a failure would leave `out`
  // empty, which callers treat as a rendering bug rather than data.
  (void)google::protobuf::util::MessageToJsonString(msg, &out, options);
  return out;
}

}  // namespace

std::string ref_to_json(const v1::ArtifactRef& ref) {
  return to_json(ref);
}

std::string source_to_json(const google::protobuf::Struct* source) {
  if (source == nullptr) {
    return "null";
  }
  return to_json(*source);
}

bool source_from_json(std::string_view json, google::protobuf::Struct* out) {
  if (json.empty() || json == "null") {
    return true;
  }
  google::protobuf::Struct parsed;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &parsed);
  if (!status.ok()) {
    return false;
  }
  out->Swap(&parsed);
  return true;
}

}  // namespace artifacts
