// Faults around a node: garbage on its port, a node that dies or freezes
// under a request, peers with the wrong credentials, broken TLS settings, an
// unsafe bind, and a peer that accepts TCP and never speaks.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <catch2/catch.hpp>

#include <artifact_store/client.hpp>
#include <artifact_store/configure.hpp>
#include <artifact_store/error.hpp>
#include <artifact_store/node.hpp>
#include <artifact_store/remoting.hpp>
#include <artifact_store/store.hpp>

#include "actors/supervisor.hpp"
#include "actors/tls_error_queue.hpp"
#include "scenarios/child_process.hpp"
#include "scenarios/instrumented_driver.hpp"
#include "scenarios/load_scale.hpp"
#include "scenarios/remote_fixture.hpp"
#include "scenarios/scenario_support.hpp"
#include "scenarios/test_certificates.hpp"
#include "storage/artifact_id.hpp"

using namespace artifacts;
using namespace artifacts::scenarios;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

using steady = std::chrono::steady_clock;

// A client of the node on `port` works end to end: put, then get.
void check_serves(caf::actor_system& sys, uint16_t port) {
  auto remote = connect_store(sys, "127.0.0.1", port, 10s);
  INFO("connect: " << (remote ? std::string("ok") : describe(remote.error())));
  REQUIRE(remote);
  client c{sys, *remote, 10s};
  auto ref = REQUIRE_VALUE(c.put(put_request(remote_test_scope(), "still serving")));
  auto blob = REQUIRE_VALUE(c.get(make_key(remote_test_scope(), ref.id())));
  CHECK(blob.data() == "still serving");
}

// A TCP connection to 127.0.0.1:port; closed on destruction.
class raw_connection {
 public:
  explicit raw_connection(uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    REQUIRE(fd_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  }
  ~raw_connection() { ::close(fd_); }
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  // Sends what the peer takes; a peer that hangs up early is fine.
  void send_all(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) {
        return;
      }
      sent += static_cast<size_t>(n);
    }
  }

  // Reads and discards until the peer closes or `bound` passes.
  void drain(std::chrono::milliseconds bound) {
    const auto deadline = steady::now() + bound;
    char buffer[4096];
    while (steady::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) {
        continue;
      }
      if (::recv(fd_, buffer, sizeof(buffer), 0) <= 0) {
        return;
      }
    }
  }

 private:
  int fd_;
};

std::string random_bytes(size_t size) {
  std::mt19937 generator{20240521};
  std::uniform_int_distribution<int> byte{0, 255};
  std::string out(size, '\0');
  for (auto& c : out) {
    c = static_cast<char>(byte(generator));
  }
  return out;
}

void garbage_leaves_node_serving(const remote_fixture_options& options) {
  remote_fixture node{memory_node_config(), options};
  auto& c = node.client();
  REQUIRE_VALUE(c.put(put_request(remote_test_scope(), "before the garbage")));
  {
    raw_connection garbage{node.port()};
    garbage.send_all(random_bytes(64 * 1024));
    garbage.drain(2s);
  }
  {
    raw_connection http{node.port()};
    http.send_all("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    http.drain(2s);
  }
  // The connection that was there before still works, and so does a new one.
  auto ref = REQUIRE_VALUE(c.put(put_request(remote_test_scope(), "after the garbage")));
  CHECK(REQUIRE_VALUE(c.get(make_key(remote_test_scope(), ref.id()))).found());
  remoting_system fresh{with_tls(options.client_tls)};
  check_serves(fresh.get(), node.port());
}

// ---------------------------------------------------------------------------
// A node in a child process, so that it can really die or freeze. The child
// is this test executable running the hidden test case below; it reports
// "port N" when it serves and "stalling" when a put in the namespace "stall"
// reaches its worker (which then holds it for a minute).

constexpr const char* node_process_case = "node process for the fault tests";
constexpr const char* node_process_env = "ARTIFACTS_TEST_NODE_PROCESS";
constexpr const char* heartbeat_env = "ARTIFACTS_TEST_HEARTBEAT_MS";
constexpr const char* connection_timeout_env = "ARTIFACTS_TEST_CONNECTION_TIMEOUT_MS";

void say(const std::string& line) {
  auto text = line + "\n";
  (void)!::write(STDOUT_FILENO, text.data(), text.size());
}

std::chrono::milliseconds env_millis(const char* name, std::chrono::milliseconds fallback) {
  const char* value = std::getenv(name);
  return value ? std::chrono::milliseconds{std::atol(value)} : fallback;
}

remoting_options node_process_remoting() {
  remoting_options options;
  options.heartbeat_interval = env_millis(heartbeat_env, options.heartbeat_interval);
  options.connection_timeout = env_millis(connection_timeout_env, options.connection_timeout);
  return options;
}

TEST_CASE(node_process_case, "[.][node-process]") {
  if (std::getenv(node_process_env) == nullptr) {
    return;
  }
  remoting_system node{node_process_remoting()};
  auto config = memory_node_config();
  config.storage.make_id = [](std::string_view ns, std::string_view digest) {
    if (ns == "stall") {
      say("stalling");
      for (int i = 0; i < 600; ++i) {
        std::this_thread::sleep_for(100ms);
      }
    }
    return standard_artifact_id(ns, digest);
  };
  published_store served{node.get(), config};
  say("port " + std::to_string(served.port()));
  // Serves until the parent closes stdin or kills it; never longer than
  // two minutes. Leaves without any cleanup, as a crashed node would.
  pollfd input{STDIN_FILENO, POLLIN, 0};
  (void)::poll(&input, 1, 120000);
  std::_Exit(0);
}

// The node of the test case above in a child process, serving on its port.
class node_process {
 public:
  explicit node_process(const remoting_options& options)
      : process_("/proc/self/exe", {node_process_case}, child_options_for(options)) {
    auto line = process_.read_line(30s);
    REQUIRE(line.rfind("port ", 0) == 0);
    port_ = static_cast<uint16_t>(std::stoi(line.substr(5)));
  }

  uint16_t port() const noexcept { return port_; }

  // The next line the node printed. Throws when none comes within `bound`.
  std::string read_line(std::chrono::milliseconds bound) { return process_.read_line(bound); }

  void freeze() { process_.signal(SIGSTOP); }

  void kill() { process_.kill(); }

 private:
  // The node reads its remoting settings from the environment, and serves
  // until its stdin (a pipe held by this process) ends.
  static testing::child_options child_options_for(const remoting_options& options) {
    testing::child_options child;
    child.environment = testing::environment_with(
        {{node_process_env, "1"},
         {heartbeat_env, std::to_string(options.heartbeat_interval.count())},
         {connection_timeout_env, std::to_string(options.connection_timeout.count())}});
    child.stdin_pipe = true;
    child.stdout_pipe = true;
    return child;
  }

  testing::child_process process_;
  uint16_t port_ = 0;
};

// Starts a put that the node holds, makes the node go away with `vanish`,
// and checks that the put, and every later call, fails with unavailable
// long before the request timeout.
template <class Vanish>
void node_loss_fails_calls_promptly(const remoting_options& options, Vanish vanish) {
  node_process node{options};
  remote_client local{"127.0.0.1", node.port(), options};
  auto& c = local.client();
  REQUIRE_VALUE(c.put(put_request(remote_test_scope(), "stored before the loss")));

  auto held = std::async(std::launch::async, [&] {
    return c.put(put_request(remote_test_scope(), "held by the node", "stall"));
  });
  REQUIRE(node.read_line(30s) == "stalling");
  const auto lost_at = steady::now();
  vanish(node);
  REQUIRE(held.wait_for(prompt_bound) == std::future_status::ready);
  const auto held_failed_after = steady::now() - lost_at;
  CHECK(held_failed_after < prompt_bound);
  CHECK_ERROR(held.get(), errc::unavailable);

  // Later calls fail at once, without waiting for a timeout.
  const auto later = steady::now();
  CHECK_ERROR(c.get(make_key(remote_test_scope(), "default_000000000000")), errc::unavailable);
  const auto later_failed_after = steady::now() - later;
  CHECK(later_failed_after < prompt_bound);
  WARN("node lost: the held put failed "
       << std::chrono::duration<double>(held_failed_after).count() << " s after, a later call in "
       << std::chrono::duration<double>(later_failed_after).count() << " s (request timeout "
       << long_request_timeout.count() << " s)");
  node.kill();
}

// A TCP socket listening on 127.0.0.1 at a free port, which goes to `port`.
int listen_on_loopback(uint16_t& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  REQUIRE(::listen(fd, 16) == 0);
  socklen_t length = sizeof(address);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  port = ntohs(address.sin_port);
  return fd;
}

// A TCP listener on 127.0.0.1 at a free port whose thread accepts every
// connection and hands it to `on_accept` (which then owns it), until stop()
// or destruction.
class loopback_acceptor {
 public:
  explicit loopback_acceptor(std::function<void(int fd)> on_accept)
      : fd_(listen_on_loopback(port_)) {
    thread_ = std::thread([this, on_accept = std::move(on_accept)] {
      while (!stop_.load()) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) {
          continue;
        }
        const int accepted = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (accepted >= 0) {
          on_accept(accepted);
        }
      }
    });
  }

  ~loopback_acceptor() {
    stop();
    ::close(fd_);
  }

  loopback_acceptor(const loopback_acceptor&) = delete;
  loopback_acceptor& operator=(const loopback_acceptor&) = delete;

  uint16_t port() const noexcept { return port_; }

  // Stops accepting and joins the thread: on_accept runs no more.
  void stop() {
    stop_ = true;
    if (thread_.joinable()) {
      thread_.join();
    }
  }

 private:
  uint16_t port_ = 0;  // before fd_, whose initialiser sets it
  int fd_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Sockets that are closed together on destruction. Safe to use from any
// thread.
class socket_set {
 public:
  socket_set() = default;
  ~socket_set() {
    for (int fd : fds_) {
      ::close(fd);
    }
  }
  socket_set(const socket_set&) = delete;
  socket_set& operator=(const socket_set&) = delete;

  void add(int fd) {
    std::lock_guard<std::mutex> guard{lock_};
    fds_.push_back(fd);
  }

  // Shuts down both directions of every socket added so far.
  void shut_down_all() {
    std::lock_guard<std::mutex> guard{lock_};
    for (int fd : fds_) {
      ::shutdown(fd, SHUT_RDWR);
    }
  }

 private:
  std::mutex lock_;
  std::vector<int> fds_;  // under lock_
};

// A TCP listener on 127.0.0.1 that accepts connections and never says a
// word; stops on destruction.
class silent_listener {
 public:
  uint16_t port() const noexcept { return acceptor_.port(); }

 private:
  socket_set accepted_;
  loopback_acceptor acceptor_{[this](int fd) { accepted_.add(fd); }};  // last: uses accepted_
};

}  // namespace

TEST_CASE("random bytes and an HTTP request leave a plain node serving", "[remote][faults]") {
  garbage_leaves_node_serving({});
}

TEST_CASE("random bytes and an HTTP request leave a TLS node serving", "[remote][faults]") {
  garbage_leaves_node_serving(tls_fixture_options());
}

TEST_CASE("a client whose node is killed fails its calls promptly with unavailable",
          "[remote][faults]") {
  node_loss_fails_calls_promptly(remoting_options{}, [](node_process& node) { node.kill(); });
}

TEST_CASE("a client whose node freezes fails its calls once heartbeats stop", "[remote][faults]") {
  // A frozen node keeps its TCP connection open: only the missing
  // heartbeats tell.
  remoting_options options;
  options.heartbeat_interval = 200ms;
  // Under ThreadSanitizer a busy node can be silent for longer than 2 s.
  options.connection_timeout = hang_bound(2s);
  node_loss_fails_calls_promptly(options, [](node_process& node) { node.freeze(); });
}

TEST_CASE("a TLS client with a certificate from another CA is refused", "[remote][faults][tls]") {
  auto certificates = shared_test_certificates();
  remote_fixture node{memory_node_config(), tls_fixture_options()};
  REQUIRE_VALUE(node.client().put(put_request(remote_test_scope(), "before the intruder")));
  remoting_system intruder{with_tls(certificates->foreign_client())};
  const auto started = steady::now();
  auto remote = connect_store(intruder.get(), "127.0.0.1", node.port(), 5s);
  REQUIRE_FALSE(remote);
  CHECK(code_of(remote.error()) == errc::unavailable);
  CHECK_THAT(message_of(remote.error()), Contains("connect"));
  CHECK(steady::now() - started < prompt_bound);
  // The node still serves its legitimate clients, old and new.
  REQUIRE_VALUE(node.client().put(put_request(remote_test_scope(), "after the intruder")));
  remoting_system legitimate{with_tls(certificates->client())};
  check_serves(legitimate.get(), node.port());
}

TEST_CASE("a plain client against a TLS node is refused", "[remote][faults][tls]") {
  remote_fixture node{memory_node_config(), tls_fixture_options()};
  REQUIRE_VALUE(node.client().put(put_request(remote_test_scope(), "before the plain client")));
  remoting_system plain{remoting_options{}};
  auto remote = connect_store(plain.get(), "127.0.0.1", node.port(), 5s);
  REQUIRE_FALSE(remote);
  CHECK(code_of(remote.error()) == errc::unavailable);
  REQUIRE_VALUE(node.client().put(put_request(remote_test_scope(), "after the plain client")));
  remoting_system legitimate{with_tls(shared_test_certificates()->client())};
  check_serves(legitimate.get(), node.port());
}

TEST_CASE("a TLS client against a plain node is refused", "[remote][faults][tls]") {
  remote_fixture node{memory_node_config(), {}};
  remoting_system tls{with_tls(shared_test_certificates()->client())};
  auto remote = connect_store(tls.get(), "127.0.0.1", node.port(), 5s);
  REQUIRE_FALSE(remote);
  CHECK(code_of(remote.error()) == errc::unavailable);
  remoting_system plain{remoting_options{}};
  check_serves(plain.get(), node.port());
}

TEST_CASE("a TLS key with a wrong or missing passphrase is a clear error", "[remote][tls]") {
  auto certificates = shared_test_certificates();
  for (const std::string passphrase : {"not the passphrase", ""}) {
    INFO("passphrase = \"" << passphrase << "\"");
    caf::actor_system_config cfg;
    configure_actor_system(cfg);
    auto err = configure_remoting(cfg, with_tls(certificates->encrypted_client(passphrase)));
    REQUIRE(err);
    CHECK(code_of(err) == errc::invalid_argument);
    CHECK_THAT(message_of(err), Contains("passphrase"));
    CHECK_THAT(message_of(err), Contains("client-encrypted.key"));
  }

  // The right passphrase opens the key, and the client gets in.
  remote_fixture node{memory_node_config(), tls_fixture_options()};
  remoting_system client_side{with_tls(certificates->encrypted_client(certificates->passphrase()))};
  check_serves(client_side.get(), node.port());
}

TEST_CASE("broken TLS settings are invalid_argument errors, never an abort", "[remote][tls]") {
  auto certificates = shared_test_certificates();
  const auto good = certificates->client();
  const auto garbage = certificates->directory() / "garbage.pem";
  std::ofstream{garbage} << "this is not PEM\n";

  struct broken_case {
    const char* what;
    tls_options tls;
    const char* mentions;
  };
  std::vector<broken_case> cases;
  {
    auto tls = good;
    tls.certificate = certificates->file("missing.pem");
    cases.push_back({"a missing certificate file", tls, "missing.pem"});
  }
  {
    auto tls = good;
    tls.key = certificates->directory().string();
    cases.push_back({"a directory as the key", tls, "key"});
  }
  {
    auto tls = good;
    tls.ca_file = garbage.string();
    cases.push_back({"a CA file without PEM", tls, "garbage.pem"});
  }
  {
    auto tls = good;
    tls.key = certificates->file("server.key");
    cases.push_back({"a key of another certificate", tls, "does not belong"});
  }
  {
    auto tls = good;
    tls.ca_file.clear();
    cases.push_back({"no CA file", tls, "CA file"});
  }
  {
    tls_options tls;
    tls.certificate = good.certificate;
    cases.push_back({"only a certificate", tls, "key"});
  }
  {
    tls_options tls;
    tls.passphrase = "secret";
    cases.push_back({"only a passphrase", tls, "passphrase"});
  }
  for (const auto& broken : cases) {
    INFO(broken.what);
    caf::actor_system_config cfg;
    configure_actor_system(cfg);
    auto err = configure_remoting(cfg, with_tls(broken.tls));
    REQUIRE(err);
    CHECK(code_of(err) == errc::invalid_argument);
    CHECK_THAT(message_of(err), Contains(broken.mentions));
  }
}

namespace {

// Every address at a free port: a bind only a TLS node may make, or a plain
// one told it is `insecure`.
publish_options every_address(bool insecure = false) {
  publish_options where;
  where.bind = "0.0.0.0";
  where.port = 0;
  where.insecure = insecure;
  return where;
}

}  // namespace

TEST_CASE("a plain node refuses to bind a non-loopback address unless insecure",
          "[remote][faults]") {
  remoting_system plain{remoting_options{}};
  auto opened = open_store(plain.get(), memory_node_config());
  REQUIRE(opened);
  auto refused = publish_store(plain.get(), *opened, every_address());
  REQUIRE_FALSE(refused);
  CHECK(code_of(refused.error()) == errc::invalid_argument);
  CHECK_THAT(message_of(refused.error()), Contains("TLS"));

  auto accepted = publish_store(plain.get(), *opened, every_address(true));
  INFO("insecure publish: " << (accepted ? std::string("ok") : describe(accepted.error())));
  REQUIRE(accepted);
  check_serves(plain.get(), *accepted);
  unpublish_store(plain.get(), *opened, *accepted);
  CHECK_FALSE(opened->close(plain.get()));
}

TEST_CASE("a TLS node may bind a non-loopback address", "[remote][tls]") {
  remoting_system tls{with_tls(shared_test_certificates()->server())};
  auto opened = open_store(tls.get(), memory_node_config());
  REQUIRE(opened);
  auto bound = publish_store(tls.get(), *opened, every_address());
  INFO("publish: " << (bound ? std::string("ok") : describe(bound.error())));
  REQUIRE(bound);
  unpublish_store(tls.get(), *opened, *bound);
  CHECK_FALSE(opened->close(tls.get()));
}

// A TCP relay to 127.0.0.1:target on a port of its own. The first
// connection's first bytes from the target are held back for `delay`, as a
// slow peer's handshake would be; later connections are relayed at once.
// cut() breaks every connection relayed so far, as a failed network would.
class loopback_relay {
 public:
  explicit loopback_relay(uint16_t target, std::chrono::milliseconds delay = {})
      : acceptor_([this, target, delay](int client) { relay(client, target, delay); }) {}

  ~loopback_relay() {
    acceptor_.stop();
    stop_ = true;
    for (auto& pump : pumps_) {
      pump.join();
    }
  }

  loopback_relay(const loopback_relay&) = delete;
  loopback_relay& operator=(const loopback_relay&) = delete;

  uint16_t port() const noexcept { return acceptor_.port(); }

  // Shuts down both ends of every connection relayed so far; later ones are
  // relayed as before.
  void cut() { open_.shut_down_all(); }

  // How many connections it relayed.
  int connections() const noexcept { return connections_.load(); }

 private:
  // Connects the accepted `client` to 127.0.0.1:target and starts the pumps
  // of both directions; the first connection's first bytes from the target
  // wait `delay`.
  void relay(int client, uint16_t target, std::chrono::milliseconds delay) {
    int upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(target);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (upstream < 0 || ::connect(upstream, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0) {
      ::close(client);
      if (upstream >= 0) {
        ::close(upstream);
      }
      return;
    }
    ++connections_;
    open_.add(client);
    open_.add(upstream);
    const auto held = first_ ? delay : std::chrono::milliseconds{0};
    first_ = false;
    pumps_.emplace_back([this, client, upstream] { pump(client, upstream, {}); });
    pumps_.emplace_back([this, client, upstream, held] { pump(upstream, client, held); });
  }

  // Copies from `from` to `to` until either side ends, the first bytes
  // after `delay`.
  void pump(int from, int to, std::chrono::milliseconds delay) {
    char buffer[16384];
    bool holding = delay.count() > 0;
    while (!stop_.load()) {
      pollfd p{from, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) {
        continue;
      }
      const ssize_t got = ::read(from, buffer, sizeof buffer);
      if (got <= 0) {
        ::shutdown(to, SHUT_WR);
        return;
      }
      if (holding) {
        std::this_thread::sleep_for(delay);
        holding = false;
      }
      for (ssize_t sent = 0; sent < got;) {
        const ssize_t n = ::send(to, buffer + sent, static_cast<size_t>(got - sent), MSG_NOSIGNAL);
        if (n <= 0) {
          ::shutdown(from, SHUT_RD);
          return;
        }
        sent += n;
      }
    }
  }

  std::atomic<bool> stop_{false};  // tells the pumps to end
  std::atomic<int> connections_{0};
  socket_set open_;                 // every connection's both ends
  std::vector<std::thread> pumps_;  // touched by the acceptor's thread only, until it stops
  bool first_ = true;               // touched by the acceptor's thread only
  loopback_acceptor acceptor_;      // last: its thread uses the members above
};

TEST_CASE("connect_store reaches a node whose handshake arrives after a heartbeat",
          "[remote][faults]") {
  // CAF 0.17 drops a connection at the first heartbeat tick that falls into
  // its handshake; connect_store tries again within its bound.
  remoting_system node{remoting_options{}};
  published_store served{node.get(), memory_node_config()};
  loopback_relay relay{served.port(), 1s};

  remoting_options quick;
  quick.heartbeat_interval = 300ms;
  quick.connection_timeout = 3s;
  remoting_system local{quick};
  auto remote = connect_store(local.get(), "127.0.0.1", relay.port(), 20s);
  INFO("connect: " << (remote ? std::string("ok") : describe(remote.error())));
  REQUIRE(remote);
  CHECK(relay.connections() >= 2);
  {
    client c{local.get(), *remote, 10s};
    auto ref = REQUIRE_VALUE(c.put(put_request(remote_test_scope(), "late handshake")));
    auto blob = REQUIRE_VALUE(c.get(make_key(remote_test_scope(), ref.id())));
    CHECK(blob.data() == "late handshake");
  }
  CHECK_FALSE(served.close());
}

// A node serving a memory store whose backend calls can be slowed down
// (storage->delay_us), published on a port of its own. Its store is closed
// however the test ends: a store left open keeps the node's actor system
// from ever stopping.
class slow_node {
 public:
  explicit slow_node(const remoting_options& options)
      : storage(std::make_shared<testing::instrumented_driver>(memory_node_config().storage)),
        system_{options},
        served_{system_.get(), start_store(system_.get(), storage, memory_node_config())} {}

  uint16_t port() const noexcept { return served_.port(); }

  const std::shared_ptr<testing::instrumented_driver> storage;

 private:
  remoting_system system_;
  published_store served_;
};

TEST_CASE("a client waiting longer than the node's connection timeout keeps its connection",
          "[remote][faults]") {
  // While a request runs, the client sends the node nothing but heartbeats,
  // and the node drops a peer it has not heard from for its connection
  // timeout: here 3 s, little more than the client's 2 s interval.
  remoting_options node_options;
  node_options.heartbeat_interval = 500ms;
  node_options.connection_timeout = 3s;
  slow_node node{node_options};
  auto& storage = node.storage;

  remoting_system local{client_remoting_options({})};
  auto remote = connect_store(local.get(), "127.0.0.1", node.port(), 10s);
  REQUIRE(remote);
  client c{local.get(), *remote, long_request_timeout};
  auto ref = REQUIRE_VALUE(c.put(put_request(remote_test_scope(), "slow to read")));
  const auto backend_call = 2 * node_options.connection_timeout;
  storage->delay_us = std::chrono::duration_cast<std::chrono::microseconds>(backend_call).count();
  auto blob = c.get(make_key(remote_test_scope(), ref.id()));
  storage->delay_us = 0;
  INFO("get: " << (blob ? std::string("ok") : describe(blob.error())));
  REQUIRE(blob);
  CHECK(blob->data() == "slow to read");
}

// Cuts every connection `relay` carries once the node has begun `count`
// more backend calls than it had when this was made, each while the node
// holds that call (every call waits half a second first): the network then
// fails while the node holds a call, and its answer is lost.
class cut_while_held {
 public:
  cut_while_held(loopback_relay& relay, testing::instrumented_driver& storage, int count = 1)
      : storage_(storage), relay_(relay) {
    const int from = storage_.calls.load();
    storage_.delay_us = 500'000;
    breaker_ = std::thread{[this, from, count] {
      for (int cut = 1; cut <= count; ++cut) {
        const auto until = steady::now() + hang_bound(20s);
        while (storage_.calls.load() < from + cut && steady::now() < until) {
          std::this_thread::sleep_for(5ms);
        }
        // The call has begun and not yet waited out its delay.
        if (storage_.calls.load() >= from + cut && storage_.calls_past_delay.load() < from + cut) {
          ++held_cuts_;
        }
        relay_.cut();
      }
    }};
  }
  ~cut_while_held() { finish(); }
  cut_while_held(const cut_while_held&) = delete;
  cut_while_held& operator=(const cut_while_held&) = delete;

  // Waits for the cuts and returns how many of them came while the node
  // held a call: all of them, or the test did not cut what it meant to.
  int finish() {
    if (breaker_.joinable()) {
      breaker_.join();
      storage_.delay_us = 0;
    }
    return held_cuts_.load();
  }

 private:
  testing::instrumented_driver& storage_;
  loopback_relay& relay_;
  std::atomic<int> held_cuts_{0};
  std::thread breaker_;
};

// A slow node behind a relay, and a client of it on a system of its own
// that reconnects through the relay and counts its reconnects.
struct reconnecting_client {
  reconnecting_client() {
    auto connect = [this] { return connect_store(local.get(), "127.0.0.1", relay.port(), 10s); };
    auto first = connect();
    REQUIRE(first);
    c = std::make_unique<client>(local.get(), *first, long_request_timeout, [this, connect] {
      ++reconnects;
      return connect();
    });
  }
  slow_node node{remoting_options{}};
  loopback_relay relay{node.port()};
  remoting_system local{client_remoting_options({})};
  std::atomic<int> reconnects{0};
  std::unique_ptr<client> c;
};

TEST_CASE("a reconnecting client repeats a lost call on a new connection, never a delete",
          "[remote][faults]") {
  reconnecting_client setup;
  auto& node = setup.node;
  auto& relay = setup.relay;
  auto& reconnects = setup.reconnects;
  auto& c = *setup.c;
  auto ref = REQUIRE_VALUE(c.put(put_request(remote_test_scope(), "kept")));
  const auto key = make_key(remote_test_scope(), ref.id());

  // One new connection is the rule; a client that is handed the lost one
  // again, or whose new one is lost too, connects once more.
  int held_cuts = 0;
  auto repeated = [&] {
    cut_while_held cut{relay, *node.storage};
    auto put = c.put(put_request(remote_test_scope(), "kept"));
    held_cuts = cut.finish();
    return put;
  }();
  CHECK(held_cuts == 1);
  INFO("put: " << (repeated ? std::string("ok") : describe(repeated.error())));
  REQUIRE(repeated);
  CHECK(repeated->id() == ref.id());
  CHECK(reconnects >= 1);
  CHECK(relay.connections() >= 2);

  const int before_remove = reconnects;
  const int connections_before_remove = relay.connections();
  auto removed = [&] {
    cut_while_held cut{relay, *node.storage};
    auto remove = c.remove(key);
    held_cuts = cut.finish();
    return remove;
  }();
  CHECK(held_cuts == 1);
  REQUIRE_FALSE(removed);
  CHECK(code_of(removed.error()) == errc::unavailable);
  CHECK(reconnects == before_remove);
  CHECK(relay.connections() == connections_before_remove);
  // The next call finds the connection gone and makes a new one.
  REQUIRE_VALUE(c.exists(key));
  CHECK(reconnects > before_remove);
  CHECK(relay.connections() > connections_before_remove);
}

TEST_CASE("a reconnecting client sends a call again when its new connection is lost too",
          "[remote][faults]") {
  reconnecting_client setup;
  // The first send and its repeat are both cut while the node holds them.
  int held_cuts = 0;
  auto put = [&] {
    cut_while_held cut{setup.relay, *setup.node.storage, 2};
    auto sent = setup.c->put(put_request(remote_test_scope(), "sent three times"));
    held_cuts = cut.finish();
    return sent;
  }();
  CHECK(held_cuts == 2);
  INFO("put: " << (put ? std::string("ok") : describe(put.error())));
  REQUIRE(put);
  CHECK(setup.reconnects >= 2);
  CHECK(setup.relay.connections() >= 3);
  auto blob = REQUIRE_VALUE(setup.c->get(make_key(remote_test_scope(), put->id())));
  CHECK(blob.data() == "sent three times");
}

TEST_CASE("a streamed write whose connection is cut resumes where the upload stands",
          "[remote][faults][uploads]") {
  reconnecting_client setup;
  std::string data(3 << 20, '\0');
  std::mt19937 random{7};
  for (auto& byte : data) {
    byte = static_cast<char>(random());
  }
  // The source cuts every connection twice on the way: once with chunks
  // on their way, once more after the store has more of them.
  size_t handed = 0;
  int cuts = 0;
  auto source = [&](char* buffer, size_t capacity) -> caf::expected<size_t> {
    if ((handed >= data.size() / 3 && cuts == 0) || (handed >= 2 * data.size() / 3 && cuts == 1)) {
      setup.relay.cut();
      ++cuts;
    }
    const size_t n = std::min(capacity, data.size() - handed);
    data.copy(buffer, n, handed);
    handed += n;
    return n;
  };
  v1::PutRequest metadata;
  *metadata.mutable_scope() = remote_test_scope();
  metadata.set_filename("cut twice");
  write_options options;
  options.part_bytes = 64 << 10;
  options.parts_in_flight = 3;
  auto ref = setup.c->write(metadata, source, options);
  INFO("write: " << (ref ? std::string("ok") : describe(ref.error())));
  REQUIRE(ref);
  CHECK(cuts == 2);
  CHECK(setup.reconnects >= 2);
  CHECK(setup.relay.connections() >= 3);
  CHECK(ref->size_bytes() == static_cast<int64_t>(data.size()));
  auto blob = REQUIRE_VALUE(setup.c->get(make_key(remote_test_scope(), ref->id())));
  CHECK(blob.data() == data);
}

TEST_CASE("connect_store gives up on a peer that accepts and never speaks", "[remote][faults]") {
  silent_listener silent;
  remoting_system local{remoting_options{}};
  const auto started = steady::now();
  auto remote = connect_store(local.get(), "127.0.0.1", silent.port(), 1s);
  const auto waited = steady::now() - started;
  REQUIRE_FALSE(remote);
  CHECK(code_of(remote.error()) == errc::unavailable);
  CHECK(waited < prompt_bound);
}

TEST_CASE("connect_store fails with unavailable when nothing listens", "[remote][faults]") {
  uint16_t port = 0;
  {
    // A port that was free a moment ago.
    silent_listener closed_soon;
    port = closed_soon.port();
  }
  remoting_system local{remoting_options{}};
  auto remote = connect_store(local.get(), "127.0.0.1", port, 5s);
  REQUIRE_FALSE(remote);
  CHECK(code_of(remote.error()) == errc::unavailable);
}

TEST_CASE("caf_openssl's TLS calls go through the error queue guard", "[remote][tls]") {
  CHECK(tls_error_queue_guarded());
}
