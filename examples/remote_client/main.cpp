// A program that reaches a store node over CAF remoting with a client that
// reconnects when its connection is lost: it puts an artifact, reads it
// back by id and lists the session's artifacts.
//
//   remote_client HOST PORT       (a node started with `artifact-store serve`)
#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <artifact_store/artifact_store.hpp>

using namespace std::chrono_literals;

namespace {

int fail(const char* what, const caf::error& err) {
  std::cerr << what << ": " << artifacts::describe(err) << "\n";
  return 1;
}

// The calls of one session through a scoped client.
int run_session(artifacts::scoped_client& session) {
  artifacts::v1::PutRequest put;
  put.set_data("hello");
  put.set_filename("greeting.txt");
  auto ref = session.put_text(put);
  if (!ref) {
    return fail("put", ref.error());
  }
  std::cout << "stored " << artifacts::ref_to_json(*ref) << "\n";

  auto blob = session.get(ref->id());
  if (!blob) {
    return fail("get", blob.error());
  }
  if (!blob->found() || blob->data() != "hello") {
    std::cerr << "get: the stored bytes did not come back\n";
    return 1;
  }
  std::cout << "read back " << blob->data().size() << " bytes\n";

  auto listed = session.list();
  if (!listed) {
    return fail("list", listed.error());
  }
  std::cout << "the session holds " << listed->refs_size() << " artifact(s)\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: remote_client HOST PORT\n";
    return 2;
  }
  const std::string host = argv[1];
  const auto port = static_cast<uint16_t>(std::stoul(argv[2]));

  caf::actor_system_config cfg;
  artifacts::configure_actor_system(cfg);
  if (auto err = artifacts::configure_remoting(cfg, artifacts::client_remoting_options({}))) {
    return fail("remoting", err);
  }
  caf::actor_system sys{cfg};

  auto connect = [&] { return artifacts::connect_store(sys, host, port, 5s); };
  auto remote = connect();
  if (!remote) {
    return fail("connect", remote.error());
  }
  auto shared = std::make_shared<artifacts::client>(sys, *remote, 30s, connect);

  artifacts::v1::Scope scope;
  scope.set_tenant("acme");
  scope.set_user("ada");
  scope.set_session("remote-example");
  artifacts::scoped_client session{shared, scope};
  return run_session(session);
}
