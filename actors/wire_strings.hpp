// Which requests can cross remoting at all.
//
// proto3 refuses to parse a message whose string field holds invalid UTF-8.
// A node would drop such a request while deserialising it, and its sender
// would learn nothing useful; clients therefore check outgoing requests
// here and fail them with a clear error instead.
#pragma once

#include <string_view>

#include <caf/error.hpp>

namespace google::protobuf {
class Message;
}

namespace artifacts {

// Returns invalid_argument, naming `op` and the field, when a string field
// of `message` is not valid UTF-8, and no error otherwise. Nested messages,
// repeated fields, maps and google.protobuf.Struct values are checked too;
// bytes fields are not strings and are not checked. Other input rules (NUL
// bytes, lengths, identity) are the store's to check.
caf::error check_wire_strings(std::string_view op, const google::protobuf::Message& message);

}  // namespace artifacts
