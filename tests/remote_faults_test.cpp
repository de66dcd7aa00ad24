// Faults around a node: garbage on its port, a node that dies or freezes
// under a request, peers with the wrong credentials, broken TLS settings, an
// unsafe bind, and a peer that accepts TCP and never speaks.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
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

#include "actors/client.hpp"
#include "actors/configure.hpp"
#include "actors/error.hpp"
#include "actors/node.hpp"
#include "actors/remoting.hpp"
#include "actors/store.hpp"
#include "actors/supervisor.hpp"
#include "actors/tls_error_queue.hpp"
#include "scenarios/instrumented_driver.hpp"
#include "scenarios/load_scale.hpp"
#include "scenarios/remote_fixture.hpp"
#include "scenarios/scenario_support.hpp"
#include "scenarios/test_certificates.hpp"
#include "storage/artifact_id.hpp"

extern char** environ;

using namespace artifacts;
using namespace artifacts::scenarios;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

// Writing to a peer that hung up must fail the write, not end the process.
[[maybe_unused]] const auto sigpipe_ignored = std::signal(SIGPIPE, SIG_IGN);

using steady = std::chrono::steady_clock;

// The bound the tests below hold "promptly" to: far below the request
// timeout, far above any honest delay on a loaded machine.
constexpr auto prompt_bound = 15s;
constexpr auto long_request_timeout = 30s;

// An actor system prepared for the store and for remoting.
class remoting_system {
 public:
  explicit remoting_system(const remoting_options& options) : sys_(configured(cfg_, options)) {}

  caf::actor_system& get() noexcept { return sys_; }

 private:
  static caf::actor_system_config& configured(caf::actor_system_config& cfg,
                                              const remoting_options& options) {
    configure_actor_system(cfg);
    if (auto err = configure_remoting(cfg, options)) {
      throw std::runtime_error("configure_remoting: " + describe(err));
    }
    return cfg;
  }

  caf::actor_system_config cfg_;
  caf::actor_system sys_;
};

remoting_options with_tls(const tls_options& tls) {
  remoting_options options;
  options.tls = tls;
  return options;
}

store_config memory_config() {
  store_config config;
  config.storage.dsn = "memory:";
  config.request_timeout = long_request_timeout;
  config.close_timeout = 10s;
  return config;
}

remote_fixture_options tls_fixture() {
  auto certificates = shared_test_certificates();
  remote_fixture_options options;
  options.server_tls = certificates->server();
  options.client_tls = certificates->client();
  return options;
}

const v1::Scope& test_scope() {
  static const auto scope = make_scope("acme", "alice", "session-1");
  return scope;
}

// A client of the node on `port` works end to end: put, then get.
void check_serves(caf::actor_system& sys, uint16_t port) {
  auto remote = connect_store(sys, "127.0.0.1", port, 10s);
  INFO("connect: " << (remote ? std::string("ok") : describe(remote.error())));
  REQUIRE(remote);
  client c{sys, *remote, 10s};
  auto ref = REQUIRE_VALUE(c.put(put_request(test_scope(), "still serving")));
  auto blob = REQUIRE_VALUE(c.get(make_key(test_scope(), ref.id())));
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
  remote_fixture node{memory_config(), options};
  auto& c = node.client();
  REQUIRE_VALUE(c.put(put_request(test_scope(), "before the garbage")));
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
  auto ref = REQUIRE_VALUE(c.put(put_request(test_scope(), "after the garbage")));
  CHECK(REQUIRE_VALUE(c.get(make_key(test_scope(), ref.id()))).found());
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
  auto config = memory_config();
  config.storage.make_id = [](std::string_view ns, std::string_view digest) {
    if (ns == "stall") {
      say("stalling");
      for (int i = 0; i < 600; ++i) {
        std::this_thread::sleep_for(100ms);
      }
    }
    return standard_artifact_id(ns, digest);
  };
  auto opened = open_store(node.get(), config);
  REQUIRE(opened);
  publish_options where;
  where.port = 0;
  auto port = publish_store(node.get(), *opened, where);
  REQUIRE(port);
  say("port " + std::to_string(*port));
  // Serves until the parent closes stdin or kills it; never longer than
  // two minutes. Leaves without any cleanup, as a crashed node would.
  pollfd input{STDIN_FILENO, POLLIN, 0};
  (void)::poll(&input, 1, 120000);
  std::_Exit(0);
}

class node_process {
 public:
  explicit node_process(const remoting_options& options) {
    int to_child[2];
    int from_child[2];
    REQUIRE(::pipe2(to_child, O_CLOEXEC) == 0);
    REQUIRE(::pipe2(from_child, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
    std::vector<std::string> variables;
    for (char** entry = environ; *entry != nullptr; ++entry) {
      variables.emplace_back(*entry);
    }
    variables.push_back(std::string(node_process_env) + "=1");
    variables.push_back(std::string(heartbeat_env) + "=" +
                        std::to_string(options.heartbeat_interval.count()));
    variables.push_back(std::string(connection_timeout_env) + "=" +
                        std::to_string(options.connection_timeout.count()));
    std::vector<char*> envp;
    for (auto& variable : variables) {
      envp.push_back(variable.data());
    }
    envp.push_back(nullptr);
    std::string program = "/proc/self/exe";
    std::string test_name = node_process_case;
    char* argv[] = {program.data(), test_name.data(), nullptr};
    const int spawned = ::posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv, envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(to_child[0]);
    ::close(from_child[1]);
    input_ = to_child[1];
    output_ = from_child[0];
    REQUIRE(spawned == 0);
    auto line = read_line(30s);
    REQUIRE(line.rfind("port ", 0) == 0);
    port_ = static_cast<uint16_t>(std::stoi(line.substr(5)));
  }

  ~node_process() {
    kill();
    ::close(input_);
    ::close(output_);
  }

  node_process(const node_process&) = delete;
  node_process& operator=(const node_process&) = delete;

  uint16_t port() const noexcept { return port_; }

  // The next line the node printed, or "" when none came within `bound`.
  std::string read_line(std::chrono::milliseconds bound) {
    const auto deadline = steady::now() + bound;
    std::string line;
    while (steady::now() < deadline) {
      pollfd p{output_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) {
        continue;
      }
      char c;
      if (::read(output_, &c, 1) != 1) {
        break;
      }
      if (c == '\n') {
        return line;
      }
      line += c;
    }
    return {};
  }

  void freeze() { ::kill(pid_, SIGSTOP); }

  void kill() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
    }
  }

 private:
  pid_t pid_ = -1;
  int input_ = -1;
  int output_ = -1;
  uint16_t port_ = 0;
};

// Starts a put that the node holds, makes the node go away with `vanish`,
// and checks that the put, and every later call, fails with unavailable
// long before the request timeout.
template <class Vanish>
void node_loss_fails_calls_promptly(const remoting_options& options, Vanish vanish) {
  node_process node{options};
  remoting_system local{options};
  auto remote = connect_store(local.get(), "127.0.0.1", node.port(), 10s);
  INFO("connect: " << (remote ? std::string("ok") : describe(remote.error())));
  REQUIRE(remote);
  client c{local.get(), *remote, long_request_timeout};
  REQUIRE_VALUE(c.put(put_request(test_scope(), "stored before the loss")));

  auto held = std::async(std::launch::async, [&] {
    return c.put(put_request(test_scope(), "held by the node", "stall"));
  });
  REQUIRE(node.read_line(30s) == "stalling");
  const auto lost_at = steady::now();
  vanish(node);
  REQUIRE(held.wait_for(prompt_bound) == std::future_status::ready);
  CHECK(steady::now() - lost_at < prompt_bound);
  CHECK_ERROR(held.get(), errc::unavailable);

  // Later calls fail at once, without waiting for a timeout.
  const auto later = steady::now();
  CHECK_ERROR(c.get(make_key(test_scope(), "default_000000000000")), errc::unavailable);
  CHECK(steady::now() - later < prompt_bound);
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

// A TCP listener on 127.0.0.1 that accepts connections and never says a
// word; stops on destruction.
class silent_listener {
 public:
  silent_listener() : fd_(listen_on_loopback(port_)) {
    acceptor_ = std::thread([this] {
      while (!stop_.load()) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) > 0) {
          int accepted = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
          if (accepted >= 0) {
            accepted_.push_back(accepted);
          }
        }
      }
    });
  }

  ~silent_listener() {
    stop_ = true;
    acceptor_.join();
    for (int fd : accepted_) {
      ::close(fd);
    }
    ::close(fd_);
  }

  silent_listener(const silent_listener&) = delete;
  silent_listener& operator=(const silent_listener&) = delete;

  uint16_t port() const noexcept { return port_; }

 private:
  uint16_t port_ = 0;  // before fd_, whose initialiser sets it
  int fd_;
  std::atomic<bool> stop_{false};
  std::vector<int> accepted_;  // touched by the acceptor thread only
  std::thread acceptor_;
};

}  // namespace

TEST_CASE("random bytes and an HTTP request leave a plain node serving", "[remote][faults]") {
  garbage_leaves_node_serving({});
}

TEST_CASE("random bytes and an HTTP request leave a TLS node serving", "[remote][faults]") {
  garbage_leaves_node_serving(tls_fixture());
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
  remote_fixture node{memory_config(), tls_fixture()};
  REQUIRE_VALUE(node.client().put(put_request(test_scope(), "before the intruder")));
  remoting_system intruder{with_tls(certificates->foreign_client())};
  const auto started = steady::now();
  auto remote = connect_store(intruder.get(), "127.0.0.1", node.port(), 5s);
  REQUIRE_FALSE(remote);
  CHECK(code_of(remote.error()) == errc::unavailable);
  CHECK_THAT(message_of(remote.error()), Contains("connect"));
  CHECK(steady::now() - started < prompt_bound);
  // The node still serves its legitimate clients, old and new.
  REQUIRE_VALUE(node.client().put(put_request(test_scope(), "after the intruder")));
  remoting_system legitimate{with_tls(certificates->client())};
  check_serves(legitimate.get(), node.port());
}

TEST_CASE("a plain client against a TLS node is refused", "[remote][faults][tls]") {
  remote_fixture node{memory_config(), tls_fixture()};
  REQUIRE_VALUE(node.client().put(put_request(test_scope(), "before the plain client")));
  remoting_system plain{remoting_options{}};
  auto remote = connect_store(plain.get(), "127.0.0.1", node.port(), 5s);
  REQUIRE_FALSE(remote);
  CHECK(code_of(remote.error()) == errc::unavailable);
  REQUIRE_VALUE(node.client().put(put_request(test_scope(), "after the plain client")));
  remoting_system legitimate{with_tls(shared_test_certificates()->client())};
  check_serves(legitimate.get(), node.port());
}

TEST_CASE("a TLS client against a plain node is refused", "[remote][faults][tls]") {
  remote_fixture node{memory_config(), {}};
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
  remote_fixture node{memory_config(), tls_fixture()};
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

TEST_CASE("a plain node refuses to bind a non-loopback address unless insecure",
          "[remote][faults]") {
  remoting_system plain{remoting_options{}};
  auto opened = open_store(plain.get(), memory_config());
  REQUIRE(opened);
  publish_options everywhere;
  everywhere.bind = "0.0.0.0";
  everywhere.port = 0;
  auto refused = publish_store(plain.get(), *opened, everywhere);
  REQUIRE_FALSE(refused);
  CHECK(code_of(refused.error()) == errc::invalid_argument);
  CHECK_THAT(message_of(refused.error()), Contains("TLS"));

  everywhere.insecure = true;
  auto accepted = publish_store(plain.get(), *opened, everywhere);
  INFO("insecure publish: " << (accepted ? std::string("ok") : describe(accepted.error())));
  REQUIRE(accepted);
  check_serves(plain.get(), *accepted);
  unpublish_store(plain.get(), *opened, *accepted);
  CHECK_FALSE(opened->close(plain.get()));
}

TEST_CASE("a TLS node may bind a non-loopback address", "[remote][tls]") {
  remoting_system tls{with_tls(shared_test_certificates()->server())};
  auto opened = open_store(tls.get(), memory_config());
  REQUIRE(opened);
  publish_options everywhere;
  everywhere.bind = "0.0.0.0";
  everywhere.port = 0;
  auto bound = publish_store(tls.get(), *opened, everywhere);
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
      : fd_(listen_on_loopback(port_)) {
    acceptor_ = std::thread([this, target, delay] {
      bool first = true;
      while (!stop_.load()) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) {
          continue;
        }
        int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) {
          continue;
        }
        int upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(target);
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (upstream < 0 ||
            ::connect(upstream, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0) {
          ::close(client);
          if (upstream >= 0) {
            ::close(upstream);
          }
          continue;
        }
        ++connections_;
        {
          std::lock_guard<std::mutex> guard{open_lock_};
          open_.push_back(client);
          open_.push_back(upstream);
        }
        const auto held = first ? delay : std::chrono::milliseconds{0};
        first = false;
        pumps_.emplace_back([this, client, upstream] { pump(client, upstream, {}); });
        pumps_.emplace_back([this, client, upstream, held] { pump(upstream, client, held); });
      }
    });
  }

  ~loopback_relay() {
    stop_ = true;
    acceptor_.join();
    for (auto& pump : pumps_) {
      pump.join();
    }
    for (int fd : open_) {
      ::close(fd);
    }
    ::close(fd_);
  }

  loopback_relay(const loopback_relay&) = delete;
  loopback_relay& operator=(const loopback_relay&) = delete;

  uint16_t port() const noexcept { return port_; }

  // Shuts down both ends of every connection relayed so far; later ones are
  // relayed as before.
  void cut() {
    std::lock_guard<std::mutex> guard{open_lock_};
    for (int fd : open_) {
      ::shutdown(fd, SHUT_RDWR);
    }
  }

  // How many connections it relayed.
  int connections() const noexcept { return connections_.load(); }

 private:
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

  uint16_t port_ = 0;  // before fd_, whose initialiser sets it
  int fd_;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::mutex open_lock_;
  std::vector<int> open_;           // under open_lock_
  std::vector<std::thread> pumps_;  // touched by the acceptor thread only, until it is joined
  std::thread acceptor_;
};

TEST_CASE("connect_store reaches a node whose handshake arrives after a heartbeat",
          "[remote][faults]") {
  // CAF 0.17 drops a connection at the first heartbeat tick that falls into
  // its handshake; connect_store tries again within its bound.
  remoting_system node{remoting_options{}};
  auto opened = open_store(node.get(), memory_config());
  REQUIRE(opened);
  publish_options where;
  where.port = 0;
  auto port = publish_store(node.get(), *opened, where);
  REQUIRE(port);
  loopback_relay relay{*port, 1s};

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
    auto ref = REQUIRE_VALUE(c.put(put_request(test_scope(), "late handshake")));
    auto blob = REQUIRE_VALUE(c.get(make_key(test_scope(), ref.id())));
    CHECK(blob.data() == "late handshake");
  }
  unpublish_store(node.get(), *opened, *port);
  CHECK_FALSE(opened->close(node.get()));
}

// A node serving a memory store whose backend calls can be slowed down
// (storage->delay_us), published on a port of its own. Its store is closed
// however the test ends: a store left open keeps the node's actor system
// from ever stopping.
class slow_node {
 public:
  explicit slow_node(const remoting_options& options)
      : storage(std::make_shared<testing::instrumented_driver>(memory_config().storage)),
        system_{options},
        store_{spawn_supervisor(system_.get(), storage, closed_, memory_config()), closed_,
               memory_config()} {
    publish_options where;
    where.port = 0;
    auto port = publish_store(system_.get(), store_, where);
    if (!port) {
      (void)store_.close(system_.get());
    }
    REQUIRE(port);
    port_ = *port;
  }
  ~slow_node() { (void)store_.close(system_.get()); }
  slow_node(const slow_node&) = delete;
  slow_node& operator=(const slow_node&) = delete;

  uint16_t port() const noexcept { return port_; }

  const std::shared_ptr<testing::instrumented_driver> storage;

 private:
  remoting_system system_;
  closed_flag closed_ = std::make_shared<std::atomic<bool>>(false);
  store store_;
  uint16_t port_ = 0;
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
  auto ref = REQUIRE_VALUE(c.put(put_request(test_scope(), "slow to read")));
  const auto backend_call = 2 * node_options.connection_timeout;
  storage->delay_us = std::chrono::duration_cast<std::chrono::microseconds>(backend_call).count();
  auto blob = c.get(make_key(test_scope(), ref.id()));
  storage->delay_us = 0;
  INFO("get: " << (blob ? std::string("ok") : describe(blob.error())));
  REQUIRE(blob);
  CHECK(blob->data() == "slow to read");
}

// Cuts every connection `relay` carries once the node has begun `count`
// more backend calls than it had when this was made, and holds each for
// `hold` first: the network then fails while the node holds a call, and its
// answer is lost.
class cut_while_held {
 public:
  cut_while_held(loopback_relay& relay, testing::instrumented_driver& storage, int count = 1)
      : storage_(storage), relay_(relay) {
    const int from = storage_.calls.load();
    storage_.delay_us = 500'000;
    breaker_ = std::thread{[this, from, count] {
      for (int cut = 1; cut <= count; ++cut) {
        const auto until = steady::now() + 20s;
        while (storage_.calls.load() < from + cut && steady::now() < until) {
          std::this_thread::sleep_for(5ms);
        }
        std::this_thread::sleep_for(100ms);
        relay_.cut();
      }
    }};
  }
  ~cut_while_held() {
    breaker_.join();
    storage_.delay_us = 0;
  }
  cut_while_held(const cut_while_held&) = delete;
  cut_while_held& operator=(const cut_while_held&) = delete;

 private:
  testing::instrumented_driver& storage_;
  loopback_relay& relay_;
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
  auto ref = REQUIRE_VALUE(c.put(put_request(test_scope(), "kept")));
  const auto key = make_key(test_scope(), ref.id());

  // One new connection is the rule; a client that is handed the lost one
  // again, or whose new one is lost too, connects once more.
  auto repeated = [&] {
    cut_while_held cut{relay, *node.storage};
    return c.put(put_request(test_scope(), "kept"));
  }();
  INFO("put: " << (repeated ? std::string("ok") : describe(repeated.error())));
  REQUIRE(repeated);
  CHECK(repeated->id() == ref.id());
  CHECK(reconnects >= 1);
  CHECK(relay.connections() >= 2);

  const int before_remove = reconnects;
  const int connections_before_remove = relay.connections();
  auto removed = [&] {
    cut_while_held cut{relay, *node.storage};
    return c.remove(key);
  }();
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
  auto put = [&] {
    cut_while_held cut{setup.relay, *setup.node.storage, 2};
    return setup.c->put(put_request(test_scope(), "sent three times"));
  }();
  INFO("put: " << (put ? std::string("ok") : describe(put.error())));
  REQUIRE(put);
  CHECK(setup.reconnects >= 2);
  CHECK(setup.relay.connections() >= 3);
  auto blob = REQUIRE_VALUE(setup.c->get(make_key(test_scope(), put->id())));
  CHECK(blob.data() == "sent three times");
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
