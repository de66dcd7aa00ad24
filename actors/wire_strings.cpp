#include "actors/wire_strings.hpp"

#include <string>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/message.h>
#include <google/protobuf/struct.pb.h>

#include <artifact_store/v1/artifacts.pb.h>
#include <artifact_store/error.hpp>

#include "storage/validation.hpp"

namespace artifacts {

namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr const char* invalid_utf8 = "not valid UTF-8";

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

// What makes a request unreadable for a node.
struct malformed {
  std::string field;  // empty: nothing found
  const char* problem = "";
};

// The first string field under `message` that is not valid UTF-8, or the
// first message nested deeper than protobuf parses (`depth` is the number
// of messages holding `message`). Never descends past that depth, so a
// hostile request costs bounded stack.
malformed first_malformed(const Message& message, const std::string& outer, int depth) {
  if (depth > google::protobuf::io::CodedInputStream::GetDefaultRecursionLimit()) {
    return {outer, "nested deeper than a node can read"};
  }
  // A Struct's fields are a map. Reading a map through reflection copies it
  // whole, every nested value included, so Structs are read directly: each
  // entry is one nested message and its value another.
  if (const auto* object =
          google::protobuf::DynamicCastToGenerated<google::protobuf::Struct>(&message)) {
    const std::string name = outer.empty() ? "fields" : outer;
    for (const auto& [key, value] : object->fields()) {
      if (!is_valid_utf8(key)) {
        return {name, invalid_utf8};
      }
      if (auto found = first_malformed(value, name, depth + 2); !found.field.empty()) {
        return found;
      }
    }
    return {};
  }
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
            return {name, invalid_utf8};
          }
        } else if (auto found = first_malformed(reflection.GetRepeatedMessage(message, &field, k),
                                                name, depth + 1);
                   !found.field.empty()) {
          return found;
        }
      }
    } else if (is_string) {
      std::string scratch;
      if (!is_valid_utf8(reflection.GetStringReference(message, &field, &scratch))) {
        return {name, invalid_utf8};
      }
    } else if (reflection.HasField(message, &field)) {
      if (auto found = first_malformed(reflection.GetMessage(message, &field), name, depth + 1);
          !found.field.empty()) {
        return found;
      }
    }
  }
  return {};
}

}  // namespace

caf::error check_wire_strings(std::string_view op, const google::protobuf::Message& message) {
  auto found = first_malformed(message, {}, 0);
  if (found.field.empty()) {
    return caf::none;
  }
  return make_error(errc::invalid_argument,
                    std::string(op) + ": " + found.field + " is " + found.problem);
}

}  // namespace artifacts
