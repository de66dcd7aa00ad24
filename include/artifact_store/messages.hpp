// CAF serialization for the artifacts.v1 protobuf messages.
//
// Every message crosses actor boundaries (and remoting) as its protobuf
// encoding, so the wire format of a payload is exactly the schema in
// artifacts.proto, and field numbers govern compatibility, not CAF.
#pragma once

#include <string>
#include <type_traits>

#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/sec.hpp>

#include <artifact_store/v1/artifacts.pb.h>

namespace artifacts::v1 {

// Saves a message as its protobuf encoding; loads by parsing that encoding.
// A load of bytes that do not parse fails the deserialization with
// caf::sec::invalid_argument (the message is dropped, the node keeps
// running). Found by ADL, hence declared in the messages' own namespace.
template <class Inspector, class Message>
std::enable_if_t<std::is_base_of_v<google::protobuf::Message, Message>,
                 typename Inspector::result_type>
inspect(Inspector& f, Message& x) {
  std::string encoded;
  if constexpr (Inspector::reads_state) {
    x.SerializeToString(&encoded);
  }
  auto load = [&]() -> caf::error {
    if (!x.ParseFromString(encoded)) {
      return caf::make_error(caf::sec::invalid_argument, "malformed artifacts.v1 message");
    }
    return caf::none;
  };
  return f(caf::meta::type_name(Message::descriptor()->full_name().c_str()), encoded,
           caf::meta::load_callback(load));
}

}  // namespace artifacts::v1
