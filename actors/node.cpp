#include <artifact_store/node.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <chrono>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/publish.hpp>
#include <caf/scoped_actor.hpp>

#include <artifact_store/error.hpp>

#include "actors/actor_errors.hpp"

namespace artifacts {

namespace {

// Bound on asking the middleman to close a port: it answers at once unless
// the whole process is wedged, and shutdown must not wait on that.
constexpr std::chrono::seconds unpublish_bound{5};

std::string endpoint(const std::string& host, uint16_t port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

// The manager that owns the ports of this system: caf_openssl's when TLS is
// configured, else the plain middleman's. Both accept the same requests.
caf::io::middleman_actor port_manager(caf::actor_system& sys) {
  return sys.has_openssl_manager() ? sys.openssl_manager().actor_handle()
                                   : sys.middleman().actor_handle();
}

}  // namespace

bool is_loopback(const std::string& address) {
  if (address == "localhost") {
    return true;
  }
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, address.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) {
      return true;
    }
    // ::ffff:127.x.y.z is IPv4 loopback written as IPv6.
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

caf::expected<uint16_t> publish_store(caf::actor_system& sys, const store& local,
                                      const publish_options& options) {
  const std::string where = "serve: " + endpoint(options.bind, options.port);
  if (!sys.has_middleman()) {
    return make_error(errc::internal, where + ": remoting is not configured");
  }
  const bool tls = sys.has_openssl_manager();
  if (!tls && !options.insecure && !is_loopback(options.bind)) {
    return make_error(errc::invalid_argument,
                      where +
                          ": refusing a non-loopback address without TLS, because any peer "
                          "that reaches a plain port can make this node allocate gigabytes; "
                          "configure a certificate, a key and a CA, or accept the risk on a "
                          "trusted network with insecure");
  }
  if (local.is_closed()) {
    return closed_error(where);
  }
  // The data interface only: remote peers never see close or route.
  const store_actor data = local.actor();
  const char* bind = options.bind.empty() ? nullptr : options.bind.c_str();
  auto bound = tls ? caf::openssl::publish(data, options.port, bind, true)
                   : sys.middleman().publish(data, options.port, bind, true);
  if (!bound) {
    return make_error(errc::unavailable, where + ": cannot listen: " + sys.render(bound.error()));
  }
  return *bound;
}

void unpublish_store(caf::actor_system& sys, const store& local, uint16_t port) {
  if (!sys.has_middleman()) {
    return;
  }
  // caf::openssl::unpublish sends a message the manager does not understand;
  // the request below is the one both managers handle.
  caf::scoped_actor self{sys};
  self->request(port_manager(sys), unpublish_bound, caf::unpublish_atom::value,
                local.actor().address(), port)
      .receive([] {}, [](caf::error&) {});
}

}  // namespace artifacts
