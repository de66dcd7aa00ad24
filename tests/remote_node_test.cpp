// The node's contract over remoting: what remote peers may and may not do,
// errors that keep their meaning on the wire, publishing and unpublishing,
// and connecting only to a store.
#include <chrono>
#include <string>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <catch2/catch.hpp>

#include <artifact_store/client.hpp>
#include <artifact_store/configure.hpp>
#include <artifact_store/error.hpp>
#include <artifact_store/node.hpp>
#include <artifact_store/remoting.hpp>
#include <artifact_store/store.hpp>
#include <artifact_store/store_actor.hpp>

#include "scenarios/remote_fixture.hpp"
#include "scenarios/scenario_support.hpp"
#include "scenarios/test_certificates.hpp"
#include "scenarios/test_files.hpp"
#include "storage/artifact_id.hpp"

using namespace artifacts;
using namespace artifacts::scenarios;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

// Sends `xs` from the client system straight to `handle`, without the
// client, and returns the error it was answered with (none for a Response).
template <class Response, class Handle, class... Ts>
caf::error raw_request_error(caf::actor_system& sys, const Handle& handle, Ts&&... xs) {
  caf::scoped_actor self{sys};
  caf::error result = make_error(errc::internal, "no answer");
  self->request(caf::actor_cast<caf::actor>(handle), 10s, std::forward<Ts>(xs)...)
      .receive([&](Response&) { result = caf::error{}; },
               [&](caf::error& err) { result = std::move(err); });
  return result;
}

}  // namespace

TEST_CASE("remote peers can neither close the store nor ask for routes", "[remote][node]") {
  remote_fixture node{memory_node_config(), {}};
  auto& sys = node.client_system();
  auto as_supervisor = caf::actor_cast<store_supervisor_actor>(node.remote_handle());

  auto refused = raw_request_error<bool>(sys, as_supervisor, close_atom::value);
  REQUIRE(refused);
  CHECK(code_of(refused) == errc::internal);
  CHECK_THAT(message_of(refused), Contains("local only"));

  auto route_refused = raw_request_error<caf::actor_addr>(sys, as_supervisor, route_atom::value,
                                                          make_key(remote_test_scope(), "x"));
  REQUIRE(route_refused);
  CHECK_THAT(message_of(route_refused), Contains("local only"));

  // Without a sender to answer to, close is refused all the same.
  caf::anon_send(as_supervisor, close_atom::value);

  auto& c = node.client();
  auto ref = REQUIRE_VALUE(c.put(put_request(remote_test_scope(), "the store is still open")));
  CHECK(REQUIRE_VALUE(c.get(make_key(remote_test_scope(), ref.id()))).found());
  CHECK_FALSE(node.server_store().is_closed());
}

TEST_CASE("a verified put cannot be sent to another node", "[remote][node]") {
  remote_fixture node{memory_node_config(), {}};
  auto as_supervisor = caf::actor_cast<store_supervisor_actor>(node.remote_handle());
  auto put = verified_put::hashing(put_request(remote_test_scope(), "vouched for from afar"));
  const auto id = standard_artifact_id("default", put.request().sha256());

  auto refused = raw_request_error<v1::ArtifactRef>(node.client_system(), as_supervisor,
                                                    put_atom::value, std::move(put));
  INFO("answer: " << (refused ? node.client_system().render(refused) : std::string("stored")));
  // Refused by the node, whose remote interface has no verified put: never
  // taken, and never left unanswered until the request timeout.
  CHECK(refused == caf::sec::unexpected_message);
  CHECK_FALSE(REQUIRE_VALUE(node.client().exists(make_key(remote_test_scope(), id))));
}

TEST_CASE("store errors keep their code and message across remoting", "[remote][node]") {
  remote_fixture node{memory_node_config(), {}};
  auto& c = node.client();

  auto no_tenant = c.put(put_request(make_scope("", "alice", "session-1"), "bytes"));
  REQUIRE_FALSE(no_tenant);
  CHECK(code_of(no_tenant.error()) == errc::identity_required);
  CHECK_THAT(message_of(no_tenant.error()), Contains("put") && Contains("tenant"));

  // Also without the client: the reply itself is a store error.
  auto raw =
      raw_request_error<v1::Blob>(node.client_system(), node.remote_handle(), get_atom::value,
                                  make_key(make_scope("acme", "", "session-1"), "default_0"));
  REQUIRE(raw);
  CHECK(raw.category() == error_category);
  CHECK(code_of(raw) == errc::identity_required);
  CHECK_THAT(message_of(raw), Contains("user"));
}

TEST_CASE("a request with invalid UTF-8 fails at once and the node survives one sent raw",
          "[remote][node]") {
  remote_fixture node{memory_node_config(), {}};
  auto& c = node.client();
  auto request = put_request(remote_test_scope(), "bytes with a bad name");
  request.set_filename("report-\xff.txt");

  const auto started = std::chrono::steady_clock::now();
  auto refused = c.put(request);
  REQUIRE_FALSE(refused);
  CHECK(code_of(refused.error()) == errc::invalid_argument);
  CHECK_THAT(message_of(refused.error()), Contains("put") && Contains("filename"));
  CHECK(std::chrono::steady_clock::now() - started < prompt_bound);

  auto key = make_key(make_scope("acme", "alice", "session-\xc3"), "default_000000000000");
  auto bad_key = c.get(key);
  REQUIRE_FALSE(bad_key);
  CHECK(code_of(bad_key.error()) == errc::invalid_argument);
  CHECK_THAT(message_of(bad_key.error()), Contains("session"));

  auto source = put_request(remote_test_scope(), "bytes with a bad source");
  (*source.mutable_source()->mutable_fields())["note"].set_string_value("\xed\xa0\x80");
  auto bad_source = c.put(source);
  REQUIRE_FALSE(bad_source);
  CHECK(code_of(bad_source.error()) == errc::invalid_argument);
  CHECK_THAT(message_of(bad_source.error()), Contains("source"));

  // Sent past the client, the node cannot read it: the sender gets some
  // error (or nothing), and the node keeps serving.
  (void)raw_request_error<v1::ArtifactRef>(node.client_system(), node.remote_handle(),
                                           put_atom::value, request);
  auto ref = REQUIRE_VALUE(c.put(put_request(remote_test_scope(), "after the bad request")));
  CHECK(REQUIRE_VALUE(c.get(make_key(remote_test_scope(), ref.id()))).found());
  CHECK(list_all(c, v1::Scope{}).size() == 1);
}

TEST_CASE("unpublish stops new connections and keeps the existing ones", "[remote][node]") {
  for (const auto& options : {remote_fixture_options{}, tls_fixture_options()}) {
    INFO((options.server_tls.enabled() ? "TLS" : "plain"));
    remote_fixture node{memory_node_config(), options};
    auto& c = node.client();
    REQUIRE_VALUE(c.put(put_request(remote_test_scope(), "before unpublish")));

    unpublish_store(node.server_system(), node.server_store(), node.port());
    unpublish_store(node.server_system(), node.server_store(), node.port());

    remoting_system newcomer{with_tls(options.client_tls)};
    auto refused = connect_store(newcomer.get(), "127.0.0.1", node.port(), 5s);
    REQUIRE_FALSE(refused);
    CHECK(code_of(refused.error()) == errc::unavailable);

    auto ref = REQUIRE_VALUE(c.put(put_request(remote_test_scope(), "after unpublish")));
    CHECK(REQUIRE_VALUE(c.get(make_key(remote_test_scope(), ref.id()))).found());
  }
}

TEST_CASE("a closed node tells its remote clients store_closed", "[remote][node]") {
  remote_fixture node{memory_node_config(), {}};
  auto& c = node.client();
  REQUIRE_VALUE(c.put(put_request(remote_test_scope(), "before close")));
  REQUIRE_FALSE(node.close());
  const auto started = std::chrono::steady_clock::now();
  auto after = c.put(put_request(remote_test_scope(), "after close"));
  REQUIRE_FALSE(after);
  CHECK(code_of(after.error()) == errc::store_closed);
  CHECK(std::chrono::steady_clock::now() - started < prompt_bound);
}

TEST_CASE("connect_store refuses an actor that is not a store", "[remote][node]") {
  remoting_system server_side;
  auto& server = server_side.get();
  // The unused argument avoids CAF 0.17's argument-less spawn path, which
  // UndefinedBehaviorSanitizer flags (a reference bound to null).
  auto echo = server.spawn([](int) -> caf::behavior { return {[](int x) { return x; }}; }, 0);
  auto port = server.middleman().publish(echo, 0, "127.0.0.1", true);
  REQUIRE(port);

  remoting_system client_side;
  auto remote = connect_store(client_side.get(), "127.0.0.1", *port, 5s);
  REQUIRE_FALSE(remote);
  CHECK(code_of(remote.error()) == errc::internal);
  CHECK_THAT(message_of(remote.error()), Contains("not an artifact store"));

  (void)server.middleman().unpublish(echo, *port);
  caf::anon_send_exit(echo, caf::exit_reason::user_shutdown);
}

TEST_CASE("is_loopback knows the loopback addresses", "[remote][node]") {
  for (const char* address : {"127.0.0.1", "127.1.2.3", "localhost", "::1", "::ffff:127.0.0.1"}) {
    INFO(address);
    CHECK(is_loopback(address));
  }
  for (const char* address :
       {"0.0.0.0", "", "10.0.0.1", "192.168.1.20", "::", "::ffff:10.0.0.1", "example.com"}) {
    INFO(address);
    CHECK_FALSE(is_loopback(address));
  }
}

TEST_CASE("configure_remoting rejects heartbeats that cannot work", "[remote][node]") {
  remoting_options options;
  options.heartbeat_interval = 0ms;
  caf::actor_system_config cfg;
  auto err = configure_remoting(cfg, options);
  REQUIRE(err);
  CHECK(code_of(err) == errc::invalid_argument);

  options.heartbeat_interval = 5s;
  options.connection_timeout = 5s;
  err = configure_remoting(cfg, options);
  REQUIRE(err);
  CHECK(code_of(err) == errc::invalid_argument);
}

TEST_CASE("an upload survives a restart of its node on a durable driver",
          "[remote][node][uploads]") {
  testing::temp_folder folder{"upload-restart"};
  for (const std::string& dsn :
       {"sqlite:" + (folder / "store.db").string(), "fs:" + (folder / "tree").string()}) {
    INFO(dsn);
    auto config = memory_node_config();
    config.storage.dsn = dsn;
    const std::string first_half(100000, 'a');
    const std::string second_half(50000, 'b');
    std::string id;
    {
      remoting_system node;
      published_store served{node.get(), config};
      remote_client local{"127.0.0.1", served.port()};
      v1::PutRequest metadata;
      *metadata.mutable_scope() = remote_test_scope();
      metadata.set_filename("across a restart");
      id = REQUIRE_VALUE(local.client().begin_upload(metadata)).upload_id();
      REQUIRE_VALUE(local.client().append(id, 0, first_half));
    }
    // Another node on the same store, as after a restart.
    remoting_system node;
    published_store served{node.get(), config};
    remote_client local{"127.0.0.1", served.port()};
    auto& c = local.client();
    auto status = REQUIRE_VALUE(c.upload_status(id));
    CHECK(status.size_bytes() == 100000);
    REQUIRE_VALUE(c.append(id, 100000, second_half));
    const auto ref = REQUIRE_VALUE(c.commit_upload(id));
    CHECK(ref.filename() == "across a restart");
    CHECK(REQUIRE_VALUE(c.get(make_key(ref))).data() == first_half + second_half);
  }
}

TEST_CASE("a node of the previous version answers the lifecycle and range requests with an error",
          "[remote][node]") {
  // A node of version 0.1: its messages announced, its interface, nothing
  // of the lifecycle.
  caf::actor_system_config old_config;
  old_config.add_message_type<v1::Scope>("artifacts.v1.Scope");
  old_config.add_message_type<v1::ArtifactRef>("artifacts.v1.ArtifactRef");
  old_config.add_message_type<v1::PutRequest>("artifacts.v1.PutRequest");
  old_config.add_message_type<v1::Key>("artifacts.v1.Key");
  old_config.add_message_type<v1::Blob>("artifacts.v1.Blob");
  old_config.add_message_type<v1::RefResult>("artifacts.v1.RefResult");
  old_config.add_message_type<v1::ListRequest>("artifacts.v1.ListRequest");
  old_config.add_message_type<v1::RefList>("artifacts.v1.RefList");
  add_error_category(old_config);
  old_config.load<caf::io::middleman>();
  caf::actor_system old_system{old_config};
  // (The unused argument keeps CAF from binding a reference to an empty
  // argument pack, which UBSan reports.)
  auto old_store = old_system.spawn(
      [](int) -> store_actor::behavior_type {
        return {
            [](put_atom, const v1::PutRequest&) { return v1::ArtifactRef{}; },
            [](get_atom, const v1::Key&) { return v1::Blob{}; },
            [](get_ref_atom, const v1::Key&) { return v1::RefResult{}; },
            [](exists_atom, const v1::Key&) { return true; },
            [](delete_atom, const v1::Key&) { return false; },
            [](list_atom, const v1::ListRequest&) { return v1::RefList{}; },
        };
      },
      0);
  auto port = old_system.middleman().publish(old_store, 0, "127.0.0.1");
  REQUIRE(port);

  caf::actor_system_config config;
  configure_actor_system(config);
  REQUIRE_FALSE(configure_remoting(config, client_remoting_options({})));
  caf::actor_system system{config};
  {
    auto handle = connect_store(system, "127.0.0.1", *port, 5s);
    REQUIRE(handle);
    client c{system, *handle, 3s};
    const auto started = std::chrono::steady_clock::now();
    auto swept = c.sweep();
    REQUIRE_FALSE(swept);
    INFO(describe(swept.error()));
    CHECK(std::chrono::steady_clock::now() - started < 3s);
    CHECK(code_of(swept.error()) == errc::internal);
    CHECK_THAT(message_of(swept.error()), Contains("does not know this operation"));
    CHECK_FALSE(c.usage(make_scope("acme", "", "")));
    CHECK_FALSE(c.purge(make_scope("acme", "", "")));
    auto range = c.get_range(make_key(make_scope("acme", "a", "s"), "default_0"), 0);
    REQUIRE_FALSE(range);
    CHECK(code_of(range.error()) == errc::internal);
    CHECK_THAT(message_of(range.error()), Contains("does not know this operation"));
    v1::PutRequest metadata;
    *metadata.mutable_scope() = make_scope("acme", "a", "s");
    auto upload = c.begin_upload(metadata);
    REQUIRE_FALSE(upload);
    CHECK(code_of(upload.error()) == errc::internal);
    CHECK_THAT(message_of(upload.error()), Contains("does not know this operation"));
    // What both versions know still works over the same connection.
    CHECK(REQUIRE_VALUE(c.exists(make_key(make_scope("acme", "a", "s"), "default_0"))));
  }
  caf::anon_send_exit(old_store, caf::exit_reason::user_shutdown);
}
