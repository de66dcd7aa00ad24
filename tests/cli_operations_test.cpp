// End-to-end tests of what an operator uses: options from a configuration
// file and from the environment with their precedence, --dump-config, CAF's
// settings, and ping. Every test runs the real binary as separate processes.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "scenarios/test_files.hpp"
#include "tests/command_runner.hpp"

namespace {

using artifacts::testing::child_process;
using artifacts::testing::temp_folder;
using artifacts::testing::write_file;
using namespace artifacts::testing::command;

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

// Stores `bytes` through the node at `address` as tenant t; the exit status
// and stderr.
outcome put_through(const fs::path& cwd, const std::string& address, const std::string& bytes) {
  return run(concat({"put", "--node", address}, scope_args("t", "u", "s")), {cwd, bytes});
}

// The value line `name = …` of a --dump-config output, or "" when absent.
std::string dumped(const std::string& config, const std::string& name) {
  for (const auto& line : lines_of(config)) {
    if (line.rfind(name + " = ", 0) == 0) {
      return line.substr(name.size() + 3);
    }
  }
  return {};
}

TEST_CASE("a node configured only from a file serves that store with its pool and limits",
          "[cli][config]") {
  temp_folder dir{"cli-config"};
  write_file(dir / "node.toml",
             "# a node's whole configuration\n"
             "dsn = \"sqlite:from-file.db\"\n"
             "bind = \"127.0.0.1\"\n"
             "pool = 3\n"
             "max-payload = \"1KiB\"\n"
             "sweep-interval = \"0\"\n"
             "[caf.scheduler]\n"
             "max-threads = 3\n");
  node serving{dir.path(), {"--config", "node.toml"}};
  CHECK(put_through(dir.path(), serving.address(), "small enough").status == 0);
  auto too_large = put_through(dir.path(), serving.address(), std::string(1025, 'x'));
  CHECK(too_large.status == 3);
  CHECK_THAT(too_large.err, Contains("error: too_large: "));
  CHECK(serving.stop() == 0);
  CHECK_THAT(serving.log(), Contains("sqlite store, 3 workers"));
  CHECK(fs::exists(dir / "from-file.db"));
}

TEST_CASE("a node configured only from the environment serves that store with its pool and limits",
          "[cli][config]") {
  temp_folder dir{"cli-config"};
  node serving{dir.path(),
               {},
               {{"ARTIFACT_STORE_DSN", "sqlite:from-env.db"},
                {"ARTIFACT_STORE_POOL", "3"},
                {"ARTIFACT_STORE_MAX_PAYLOAD", "1KiB"},
                {"ARTIFACT_STORE_SWEEP_INTERVAL", "0"}}};
  CHECK(put_through(dir.path(), serving.address(), "small enough").status == 0);
  CHECK(put_through(dir.path(), serving.address(), std::string(1025, 'x')).status == 3);
  CHECK(serving.stop() == 0);
  CHECK_THAT(serving.log(), Contains("sqlite store, 3 workers"));
  CHECK(fs::exists(dir / "from-env.db"));
}

TEST_CASE("a flag wins over the environment, which wins over the file", "[cli][config]") {
  temp_folder dir{"cli-config"};
  write_file(dir / "node.toml",
             "pool = 3\n"
             "timeout = 1000\n"
             "upload-ttl = \"2h\"\n"
             "[serve]\n"
             "default-ttl = [\"scratch=1h\", \"logs=7d\"]\n"
             "[put]\n"
             "tenant = \"a put's tenant, not the node's\"\n");
  const std::vector<std::string> dump{"serve", "--config", "node.toml", "--dump-config"};

  auto file_only = run(dump, {dir.path()});
  REQUIRE(file_only.status == 0);
  CHECK(dumped(file_only.out, "pool") == "3");
  CHECK(dumped(file_only.out, "timeout") == "1000");
  CHECK(dumped(file_only.out, "upload-ttl") == "\"2h\"");
  CHECK(dumped(file_only.out, "default-ttl") == "[\"scratch=1h\", \"logs=7d\"]");
  CHECK(dumped(file_only.out, "max-payload") == "67108864");  // the default

  auto environment = run(dump, {dir.path(), "", {{"ARTIFACT_STORE_POOL", "5"}}});
  CHECK(dumped(environment.out, "pool") == "5");
  CHECK(dumped(environment.out, "timeout") == "1000");

  auto flag = run(concat(dump, {"--pool", "7"}), {dir.path(), "", {{"ARTIFACT_STORE_POOL", "5"}}});
  CHECK(dumped(flag.out, "pool") == "7");

  // The dump is a configuration file that reads back to itself.
  write_file(dir / "dumped.toml", flag.out);
  auto again = run({"serve", "--config", "dumped.toml", "--dump-config"}, {dir.path()});
  CHECK(again.status == 0);
  CHECK(again.out == flag.out);
}

TEST_CASE("the dumped configuration leaves out the TLS passphrase and the DSN's password",
          "[cli][config]") {
  temp_folder dir{"cli-config"};
  write_file(dir / "node.toml",
             "dsn = \"postgresql://store:s3cret-pw@db.example:5433/artifacts\"\n"
             "tls-passphrase = \"s3cret-key-pass\"\n");
  auto from_file = run({"serve", "--config", "node.toml", "--dump-config"}, {dir.path()});
  REQUIRE(from_file.status == 0);
  CHECK(dumped(from_file.out, "dsn") ==
        "\"user='store' dbname='artifacts' host='db.example' port='5433'\"");
  CHECK_THAT(from_file.out, Contains("# tls-passphrase: left out"));
  auto from_environment = run({"serve", "--dump-config"},
                              {dir.path(),
                               "",
                               {{"ARTIFACT_STORE_DSN", "host=db.example password=s3cret-pw"},
                                {"ARTIFACT_STORE_TLS_PASSPHRASE", "s3cret-key-pass"}}});
  REQUIRE(from_environment.status == 0);
  CHECK(dumped(from_environment.out, "dsn") == "\"host='db.example'\"");
  for (const auto& output : {from_file.out, from_environment.out}) {
    CHECK_THAT(output, !Contains("s3cret"));
  }
}

TEST_CASE("a key the file may not hold is a usage error that names it", "[cli][config]") {
  temp_folder dir{"cli-config"};
  const std::map<std::string, std::string> refused{
      {"pools = 3\n", "'pools'"},
      {"[serve]\nbogus = 1\n", "'serve.bogus'"},
      {"[put]\nfrobnicate = true\n", "'put.frobnicate'"},
      {"[nosuch]\nx = 1\n", "'nosuch.x'"},
      {"tenant = \"t\"\n", "'tenant'"},  // an option of put, not of serve
      {"config = \"other.toml\"\n", "'config'"},
  };
  for (const auto& [text, key] : refused) {
    INFO(text);
    write_file(dir / "node.toml", text);
    auto result = run({"serve", "--config", "node.toml", "--dump-config"}, {dir.path()});
    CHECK(result.status == 2);
    CHECK_THAT(result.err, Contains("configuration file's key " + key));
  }
  auto missing = run({"serve", "--config", "nosuch.toml", "--dump-config"}, {dir.path()});
  CHECK(missing.status == 2);
  CHECK_THAT(missing.err, Contains("nosuch.toml"));
}

TEST_CASE("a client command takes its scope and store from a file, and the environment over it",
          "[cli][config]") {
  temp_folder dir{"cli-config"};
  write_file(dir / "client.toml",
             "dsn = \"sqlite:client.db\"\n"
             "[put]\n"
             "tenant = \"file-tenant\"\n"
             "user = \"u\"\n"
             "session = \"s\"\n"
             "namespace = \"notes\"\n");
  auto put = run({"put", "--config", "client.toml"}, {dir.path(), "hello"});
  REQUIRE(put.status == 0);
  auto ref = parse_ref(only_line(put.out));
  CHECK(ref.scope().tenant() == "file-tenant");
  CHECK(ref.namespace_() == "notes");

  auto overridden = run({"put", "--config", "client.toml"},
                        {dir.path(), "hello", {{"ARTIFACT_STORE_TENANT", "env-tenant"}}});
  REQUIRE(overridden.status == 0);
  CHECK(parse_ref(only_line(overridden.out)).scope().tenant() == "env-tenant");
  // The file's DSN gives way to the environment's.
  auto elsewhere = run({"put", "--config", "client.toml"},
                       {dir.path(), "hello", {{"ARTIFACT_STORE_DSN", "sqlite:env.db"}}});
  REQUIRE(elsewhere.status == 0);
  CHECK(fs::exists(dir / "env.db"));
}

TEST_CASE("CAF's settings reach the node's actor system, and only the node's", "[cli][config]") {
  temp_folder dir{"cli-config"};
  auto dump = run({"serve", "--dump-config", "--caf.scheduler.max-threads=3",
                   "--caf.work-stealing.moderate-poll-attempts", "10"},
                  {dir.path()});
  REQUIRE(dump.status == 0);
  CHECK_THAT(dump.out, Contains("\n[caf]\nscheduler.max-threads = 3\n"
                                "work-stealing.moderate-poll-attempts = 10\n"));
  auto unknown =
      run({"serve", "--dsn", "memory:", "--port", "0", "--caf.scheduler.nosuch=1"}, {dir.path()});
  CHECK(unknown.status == 3);
  CHECK_THAT(unknown.err, StartsWith("error: invalid_argument: CAF setting:"));
  CHECK_THAT(unknown.err, Contains("scheduler.nosuch"));
  auto not_a_node = run(concat({"put", "--dsn", "memory:", "--caf.scheduler.max-threads=3"},
                               scope_args("t", "u", "s")),
                        {dir.path(), "x"});
  CHECK(not_a_node.status == 2);
  CHECK_THAT(not_a_node.err, Contains("--caf.scheduler.max-threads=3"));
}

TEST_CASE("ping answers 0 while the store answers and 3 with the error otherwise", "[cli][ping]") {
  temp_folder dir{"cli-ping"};
  auto in_process = run({"ping", "--dsn", "sqlite:ping.db"}, {dir.path()});
  CHECK(in_process.status == 0);
  CHECK_THAT(only_line(in_process.out), StartsWith("{\"ok\":true,\"milliseconds\":"));

  node serving{dir.path(), {"--dsn", "sqlite:ping.db"}};
  auto through_node = run({"ping", "--node", serving.address()}, {dir.path()});
  CHECK(through_node.status == 0);
  CHECK_THAT(through_node.out, StartsWith("{\"ok\":true"));
  CHECK(serving.stop() == 0);

  auto dead = run({"ping", "--node", dead_address(), "--connect-timeout", "2000"}, {dir.path()});
  CHECK(dead.status == 3);
  CHECK_THAT(dead.err, StartsWith("error: unavailable: "));
  CHECK(dead.out.empty());
  auto broken = run({"ping", "--dsn", "fs:"}, {dir.path()});
  CHECK(broken.status == 3);
  CHECK_THAT(broken.err, StartsWith("error: invalid_argument: "));
}

// The datagram socket of a stand-in service manager: what a node sends to
// NOTIFY_SOCKET arrives here, as it would at systemd.
class notify_socket {
 public:
  explicit notify_socket(const fs::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    REQUIRE(path.string().size() < sizeof address.sun_path);
    std::strcpy(address.sun_path, path.c_str());
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  }
  ~notify_socket() { ::close(fd_); }
  notify_socket(const notify_socket&) = delete;
  notify_socket& operator=(const notify_socket&) = delete;

  const fs::path& path() const { return path_; }

  // The next notification, or "" when none came within 30 s.
  std::string receive() {
    pollfd ready{fd_, POLLIN, 0};
    if (::poll(&ready, 1, 30000) != 1) {
      return {};
    }
    char buffer[4096];
    const auto size = ::recv(fd_, buffer, sizeof buffer, 0);
    return size > 0 ? std::string(buffer, static_cast<size_t>(size)) : std::string{};
  }

 private:
  fs::path path_;
  int fd_ = -1;
};

TEST_CASE("serve tells the service manager when it is ready and when it stops", "[cli][service]") {
  temp_folder dir{"cli-service"};
  notify_socket manager{dir / "notify"};
  node serving{dir.path(), {"--dsn", "memory:"}, {{"NOTIFY_SOCKET", manager.path().string()}}};
  CHECK(manager.receive() == "READY=1\nSTATUS=listening on " + serving.address());
  CHECK(serving.stop() == 0);
  CHECK(manager.receive() == "STOPPING=1\nSTATUS=stopping on SIGTERM");
}

TEST_CASE("under a service manager's state directory the default store lives there",
          "[cli][service]") {
  temp_folder dir{"cli-service"};
  fs::create_directory(dir / "state");
  const std::map<std::string, std::string> systemd{
      {"STATE_DIRECTORY", (dir / "state").string() + ":" + (dir / "second").string()}};
  auto dump = run({"serve", "--dump-config"}, {dir.path(), "", systemd});
  CHECK(dumped(dump.out, "dsn") == "\"sqlite:" + (dir / "state").string() + "/artifacts.db\"");
  CHECK(run({"ping"}, {dir.path(), "", systemd}).status == 0);
  CHECK(fs::exists(dir / "state" / "artifacts.db"));
  CHECK_FALSE(fs::exists(dir / "artifacts.db"));
}

// The unit in the tree, naming the command under test.
std::string service_unit() {
  std::ifstream in{ARTIFACT_STORE_SERVICE_TEMPLATE};
  REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  std::string unit = text.str();
  const std::string placeholder = "@ARTIFACT_STORE_SERVICE_COMMAND@";
  const auto at = unit.find(placeholder);
  REQUIRE(at != std::string::npos);
  return unit.replace(at, placeholder.size(), command_path());
}

// `systemd-analyze ARGS UNIT` on `unit`, written as artifact-store.service.
outcome analyze(const std::vector<std::string>& args, const std::string& unit) {
  temp_folder dir{"cli-unit"};
  write_file(dir / "artifact-store.service", unit);
  artifacts::testing::child_options options;
  options.cwd = dir.path();
  child_process analyzer{"/usr/bin/systemd-analyze",
                         concat(args, {(dir / "artifact-store.service").string()}), options};
  outcome result;
  result.status = analyzer.wait(command_bound);
  result.out = analyzer.out();
  result.err = analyzer.err();
  return result;
}

TEST_CASE("the systemd unit verifies, notifies, keeps state and is hardened", "[cli][service]") {
  const std::string unit = service_unit();
  for (const char* line :
       {"Type=notify", "StateDirectory=artifact-store", "WorkingDirectory=%S/artifact-store",
        "DynamicUser=yes", "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes",
        "PrivateTmp=yes", "KillSignal=SIGTERM"}) {
    CHECK_THAT(unit, Contains(std::string("\n") + line + "\n"));
  }
  auto verified = analyze({"verify"}, unit);
  INFO(verified.err);
  CHECK(verified.status == 0);
  CHECK(verified.err.empty());
  // systemd's own score of the sandbox, from 0 (locked down) to 10 (exposed;
  // the threshold counts tenths): this unit scores 1.6.
  auto security = analyze({"security", "--offline=true", "--threshold=20"}, unit);
  INFO(security.out << security.err);
  CHECK(security.status == 0);

  // What verify reports: an empty report above means something.
  std::string broken = unit;
  broken.replace(broken.find("Type=notify"), 11, "Type=notifyy");
  auto refused = analyze({"verify"}, broken);
  CHECK_THAT(refused.err, Contains("notifyy"));
}

TEST_CASE("the version flag prints the version and exits 0", "[cli]") {
  auto version = run({"--version"});
  CHECK(version.status == 0);
  CHECK_THAT(version.out, StartsWith("artifact-store "));
}

}  // namespace
