#include "actors/wire_strings.hpp"

#include <string>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include "actors/error.hpp"
#include "messages/artifacts.pb.h"
#include "storage/validation.hpp"

namespace artifacts {

namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// The name a caller knows a field by: the scope's own fields by their names
// ("tenant"), which is how the store names them too; anything deeper by the
// top-level field that holds it ("source").
std::string field_name(const std::string& outer, const Message& message,
                       const FieldDescriptor& field) {
  if (outer.empty() || message.GetDescriptor() == v1::Scope::descriptor()) {
    return field.name();
  }
  return outer;
}

// The name of the first string field under `message` that is not valid
// UTF-8, or an empty string.
std::string first_malformed(const Message& message, const std::string& outer) {
  const Reflection& reflection = *message.GetReflection();
  const auto& descriptor = *message.GetDescriptor();
  for (int i = 0; i < descriptor.field_count(); ++i) {
    const FieldDescriptor& field = *descriptor.field(i);
    const bool is_string = field.type() == FieldDescriptor::TYPE_STRING;
    const bool is_message = field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
    if (!is_string && !is_message) {
      continue;
    }
    const std::string name = field_name(outer, message, field);
    if (field.is_repeated()) {
      const int size = reflection.FieldSize(message, &field);
      for (int k = 0; k < size; ++k) {
        if (is_string) {
          std::string scratch;
          if (!is_valid_utf8(reflection.GetRepeatedStringReference(message, &field, k, &scratch))) {
            return name;
          }
        } else if (auto found =
                       first_malformed(reflection.GetRepeatedMessage(message, &field, k), name);
                   !found.empty()) {
          return found;
        }
      }
    } else if (is_string) {
      std::string scratch;
      if (!is_valid_utf8(reflection.GetStringReference(message, &field, &scratch))) {
        return name;
      }
    } else if (reflection.HasField(message, &field)) {
      if (auto found = first_malformed(reflection.GetMessage(message, &field), name);
          !found.empty()) {
        return found;
      }
    }
  }
  return {};
}

}  // namespace

caf::error check_wire_strings(std::string_view op, const google::protobuf::Message& message) {
  auto field = first_malformed(message, {});
  if (field.empty()) {
    return caf::none;
  }
  return make_error(errc::invalid_argument, std::string(op) + ": " + field + " is not valid UTF-8");
}

}  // namespace artifacts
