// A store node: a local store published over CAF remoting.
#pragma once

#include <cstdint>
#include <string>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include <artifact_store/store.hpp>

namespace artifacts {

struct publish_options {
  std::string bind = "127.0.0.1";  // address to listen on
  uint16_t port = 4242;            // 0 picks a free port
  // Plain remoting lets any peer that reaches the port make the node allocate
  // gigabytes before authentication, so a non-loopback bind without TLS is
  // refused unless this is set.
  bool insecure = false;
};

// True for 127.0.0.0/8 (also as ::ffff:127.x.y.z), ::1 and "localhost".
bool is_loopback(const std::string& address);

// Publishes the data interface of `local` (close and route stay local) on
// options.bind:options.port, over mutual TLS when `sys` was configured with
// TLS (see configure_remoting). Returns the bound port. Fails with
// invalid_argument for a non-loopback plain bind without `insecure` (an
// empty bind means every address), with store_closed when the store is
// closed already, with unavailable when the port cannot be bound, and with
// internal when `sys` has no middleman. Remote senders of close or route
// are refused by the store itself (internal), whatever they cast the handle
// to.
caf::expected<uint16_t> publish_store(caf::actor_system& sys, const store& local,
                                      const publish_options& options);

// Stops accepting connections for `local` on `port` (0: on every port it is
// published on). Peers already connected keep their connection until the
// store closes. Idempotent; waits at most a few seconds for the middleman.
void unpublish_store(caf::actor_system& sys, const store& local, uint16_t port);

}  // namespace artifacts
