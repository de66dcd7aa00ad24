// Announcement of the wire messages to a CAF actor system.
#pragma once

namespace caf {
class actor_system_config;
}

namespace artifacts {

// Registers every artifacts.v1 message with `cfg` under its protobuf full
// name ("artifacts.v1.PutRequest", ...). Every node that exchanges store
// messages must call this before constructing its actor_system; the names are
// part of the remoting contract and never change.
void add_message_types(caf::actor_system_config& cfg);

}  // namespace artifacts
