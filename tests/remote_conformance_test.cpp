// The conformance suite against a store reached through CAF remoting: two
// actor systems in one process, over plain BASP and over mutual TLS.
#include <csignal>

#include "scenarios/conformance.hpp"
#include "scenarios/remote_fixture.hpp"
#include "scenarios/test_certificates.hpp"

namespace {

using artifacts::scenarios::make_remote_fixture;
using artifacts::scenarios::remote_fixture_options;

// A peer that hangs up while a TLS record is being written must not kill
// the test process.
[[maybe_unused]] const auto sigpipe_ignored = std::signal(SIGPIPE, SIG_IGN);

artifacts::store_config memory_store(const artifacts::store_config& tweaks) {
  auto config = tweaks;
  config.storage.dsn = "memory:";
  return config;
}

[[maybe_unused]] const bool plain_registered = artifacts::scenarios::register_conformance_suite(
    "remote", [](const artifacts::store_config& tweaks) {
      return make_remote_fixture(memory_store(tweaks));
    });

[[maybe_unused]] const bool tls_registered = artifacts::scenarios::register_conformance_suite(
    "remote-tls", [](const artifacts::store_config& tweaks) {
      auto certificates = artifacts::scenarios::shared_test_certificates();
      remote_fixture_options options;
      options.server_tls = certificates->server();
      options.client_tls = certificates->client();
      return make_remote_fixture(memory_store(tweaks), options);
    });

}  // namespace
