#include <artifact_store/ref_json.hpp>

#include <memory>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver_util.h>

namespace artifacts {

namespace {

constexpr const char* type_url_prefix = "type.googleapis.com";

google::protobuf::util::TypeResolver& generated_types() {
  static const std::unique_ptr<google::protobuf::util::TypeResolver> resolver{
      google::protobuf::util::NewTypeResolverForDescriptorPool(
          type_url_prefix, google::protobuf::DescriptorPool::generated_pool())};
  return *resolver;
}

// Deterministic serialization writes map entries (a Struct's fields) sorted
// by key, and the JSON printer keeps the order of its binary input. Printing
// the message directly would iterate the map in an order that changes from
// run to run, so the same ref would render differently.
//
// Fields unknown to the schema have no JSON form and are dropped first: left
// in the binary, an unknown field that reuses a known number with another
// wire type makes the binary-to-JSON printer skip the value around it, so a
// present (if empty) list or object would vanish from the text.
std::string to_json(const google::protobuf::Message& msg) {
  std::unique_ptr<google::protobuf::Message> known{msg.New()};
  known->CopyFrom(msg);
  known->DiscardUnknownFields();
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream raw{&bytes};
    google::protobuf::io::CodedOutputStream coded{&raw};
    coded.SetSerializationDeterministic(true);
    known->SerializeToCodedStream(&coded);
  }
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out;
  auto status = google::protobuf::util::BinaryToJsonString(
      &generated_types(), std::string(type_url_prefix) + "/" + msg.GetDescriptor()->full_name(),
      bytes, &out, options);
  if (!status.ok()) {
    // Cannot happen for a message of the generated pool; keep the data
    // rather than print nothing.
    out.clear();
    (void)google::protobuf::util::MessageToJsonString(*known, &out, options);
  }
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
