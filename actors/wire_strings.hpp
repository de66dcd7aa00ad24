// Which requests can cross remoting at all.
//
// proto3 refuses to parse a message whose string field holds invalid UTF-8,
// and protobuf parses at most 100 nested messages (a deeply nested source).
// A node would drop such a request while deserialising it, and its sender
// would learn nothing until its timeout; clients therefore check outgoing
// requests here and fail them with a clear error instead.
#pragma once

#include <string_view>

#include <caf/error.hpp>

namespace google::protobuf {
class Message;
}

namespace artifacts {

// Returns invalid_argument, naming `op` and the field, when a string field
// of `message` is not valid UTF-8 or a message inside it is nested deeper
// than protobuf parses, and no error otherwise. Nested messages, repeated
// fields, maps and google.protobuf.Struct values are checked too; bytes
// fields are not strings and are not checked. The walk stops at protobuf's
// nesting limit, so its cost is bounded whatever the request. Other input
// rules (NUL bytes, lengths, identity, the store's own source depth) are the
// store's to check.
caf::error check_wire_strings(std::string_view op, const google::protobuf::Message& message);

}  // namespace artifacts
