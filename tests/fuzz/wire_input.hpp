// The layout of a fuzz_wire_messages input, shared by the fuzz target and the
// seed writer so that seeds are exactly what the target reads.
//
// Byte 0 names the kind (taken modulo wire_kind::count); the rest is, for a
// wire message, the bytes CAF's binary deserializer reads for one value of
// that type in a remoting payload: the length-prefixed protobuf encoding that
// include/artifact_store/messages.hpp writes. For wire_kind::outgoing_put the rest is
// raw material for the string fields of a request a client is about to send.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

#include <artifact_store/v1/artifacts.pb.h>
#include <artifact_store/messages.hpp>

namespace artifacts::fuzz {

enum class wire_kind : uint8_t {
  scope,
  artifact_ref,
  put_request,
  key,
  blob,
  ref_result,
  list_request,
  ref_list,
  outgoing_put,
  count,
};

// The bytes CAF writes for `message` in a remoting payload, through the same
// inspect overload a node uses.
template <class Message>
std::vector<char> encode_wire(Message message) {
  std::vector<char> out;
  caf::binary_serializer sink{nullptr, out};
  if (auto err = sink(message)) {
    return {};
  }
  return out;
}

// The message CAF's binary deserializer reads from `bytes`, through the same
// inspect overload (and so the same ParseFromString) a node uses; nullopt
// when the deserializer reports an error, as a node would drop the message.
template <class Message>
std::optional<Message> decode_wire(const char* bytes, size_t size) {
  Message message;
  caf::binary_deserializer source{nullptr, bytes, size};
  if (auto err = source(message)) {
    return std::nullopt;
  }
  return message;
}

// The artifacts already in the store a wire input meets, so that keys and
// listings (and the seeds made from them) can find something.
inline std::vector<v1::PutRequest> stored_artifacts() {
  v1::Scope session;
  session.set_tenant("acme");
  session.set_user("ana");
  session.set_session("s1");
  std::vector<v1::PutRequest> out(3);
  *out[0].mutable_scope() = session;
  out[0].set_data("hello");
  out[0].set_text(true);
  *out[1].mutable_scope() = session;
  out[1].mutable_scope()->set_task("t1");
  out[1].set_data("world");
  out[1].set_namespace_("logs");
  out[1].set_filename("world.txt");
  *out[2].mutable_scope() = session;
  out[2].set_data(std::string("\x00\x01\x02", 3));
  out[2].set_mime_type("application/x-raw");
  // One key per object: protobuf writes map entries in no fixed order, and
  // seeds made from these must come out the same on every run.
  auto& tool = (*out[2].mutable_source()->mutable_fields())["tool"];
  auto& args = (*tool.mutable_struct_value()->mutable_fields())["args"];
  args.mutable_list_value()->add_values()->set_string_value("grep");
  args.mutable_list_value()->add_values()->set_number_value(3);
  return out;
}

// A whole fuzz input: the kind byte followed by `payload`.
inline std::string wire_input(wire_kind kind, const std::vector<char>& payload) {
  std::string out(1, static_cast<char>(kind));
  out.append(payload.begin(), payload.end());
  return out;
}

}  // namespace artifacts::fuzz
