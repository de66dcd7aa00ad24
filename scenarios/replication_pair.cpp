#include "scenarios/replication_pair.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/result>

namespace artifacts::scenarios {

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// The standby's name, as the primary's synchronous_standby_names knows it.
constexpr const char* standby_name = "standby";

struct tool_result {
  int status = 0;
  std::string output;
};

// Runs a shell command, stdout and stderr together.
tool_result run_tool(const std::string& command) {
  tool_result result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    return {-1, "popen failed: " + command};
  }
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) {
    result.output += buffer;
  }
  result.status = ::pclose(pipe);
  return result;
}

void must_run(const std::string& command) {
  auto result = run_tool(command);
  if (result.status != 0) {
    throw std::runtime_error(command + " failed: " + result.output);
  }
}

// A TCP port on the loopback interface that nothing listens on now.
uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) {
      ::close(fd);
    }
    throw std::runtime_error("no free port on 127.0.0.1");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

// The version of the cluster pg_virtualenv started (PGPORT), else of the
// first cluster pg_lsclusters lists.
std::string server_version() {
  const char* port = std::getenv("PGPORT");
  std::istringstream lines{run_tool("pg_lsclusters --no-header").output};
  std::string line, first;
  while (std::getline(lines, line)) {
    std::istringstream fields{line};
    std::string version, name, cluster_port;
    fields >> version >> name >> cluster_port;
    if (first.empty()) {
      first = version;
    }
    if (port != nullptr && cluster_port == port) {
      return version;
    }
  }
  if (first.empty()) {
    throw std::runtime_error("pg_lsclusters lists no cluster, so no server version is known");
  }
  return first;
}

std::string configuration_root() {
  const char* root = std::getenv("PG_CLUSTER_CONF_ROOT");
  return root != nullptr ? root : "/etc/postgresql";
}

void append_settings(const std::string& version, const std::string& name,
                     const std::string& settings) {
  std::ofstream file{configuration_root() + "/" + version + "/" + name + "/postgresql.conf",
                     std::ios::app};
  file << settings;
  if (!file) {
    throw std::runtime_error("cannot add settings to the configuration of cluster " + name);
  }
}

std::string unique_suffix() {
  static std::atomic<int> made{0};
  return std::to_string(::getpid()) + "-" + std::to_string(made++);
}

}  // namespace

replication_pair::replication_pair(replication_options options) {
  version_ = server_version();
  const bool root = ::geteuid() == 0;
  owner_ = root ? "postgres" : ::getpwuid(::geteuid())->pw_name;
  const std::string as_owner = root ? "runuser -u postgres -- " : "";
  const auto suffix = unique_suffix();
  char pattern[] = "/tmp/artifact-store-replication-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  const std::string parent = pattern;
  if (root) {
    must_run("chown postgres " + parent);
  }
  primary_ = {"as-primary-" + suffix, parent + "/primary", free_port(), false};
  standby_ = {"as-standby-" + suffix, parent + "/standby", free_port(), false};
  try {
    auto create = [&](cluster& made) {
      must_run("pg_createcluster " + version_ + " " + made.name + " -p " +
               std::to_string(made.port) + " -d " + made.data_directory + " -- --auth=trust");
      made.created = true;
      append_settings(version_, made.name,
                      "listen_addresses = '127.0.0.1'\nmax_connections = 100\n"
                      "shared_buffers = 16MB\n");
    };
    create(primary_);
    append_settings(version_, primary_.name,
                    "wal_level = replica\n" +
                        (options.synchronous
                             ? "synchronous_standby_names = '" + std::string(standby_name) + "'\n"
                             : std::string()));
    must_run("pg_ctlcluster " + version_ + " " + primary_.name + " start");

    // The standby's configuration comes from pg_createcluster, its data
    // from the primary.
    create(standby_);
    if (options.apply_delay.count() > 0) {
      append_settings(
          version_, standby_.name,
          "recovery_min_apply_delay = '" + std::to_string(options.apply_delay.count()) + "ms'\n");
    }
    fs::remove_all(standby_.data_directory);
    must_run(as_owner + "pg_basebackup -h 127.0.0.1 -p " + std::to_string(primary_.port) + " -U " +
             owner_ + " -D " + standby_.data_directory +
             " -R -X stream -d 'application_name=" + standby_name + "'");
    must_run("pg_ctlcluster " + version_ + " " + standby_.name + " start");

    const std::string wanted = options.synchronous ? "sync" : "async";
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    for (;;) {
      auto rows = query(primary_.port,
                        "SELECT sync_state FROM pg_stat_replication WHERE "
                        "application_name = '" +
                            std::string(standby_name) + "' AND state = 'streaming'");
      if (!rows.empty() && rows.at(0).at(0) == wanted) {
        break;
      }
      if (std::chrono::steady_clock::now() > deadline) {
        throw std::runtime_error("the standby did not stream from the primary within 60 s");
      }
      std::this_thread::sleep_for(50ms);
    }
  } catch (...) {
    drop();
    throw;
  }
}

replication_pair::~replication_pair() {
  drop();
}

void replication_pair::drop() noexcept {
  for (auto* made : {&standby_, &primary_}) {
    if (made->created) {
      run_tool("pg_dropcluster --stop " + version_ + " " + made->name);
      made->created = false;
    }
  }
  std::error_code ignored;
  if (!primary_.data_directory.empty()) {
    fs::remove_all(fs::path(primary_.data_directory).parent_path(), ignored);
  }
}

std::string replication_pair::dsn_of(uint16_t port, const std::string& application_name) const {
  return "host=127.0.0.1 port=" + std::to_string(port) + " dbname=postgres user=" + owner_ +
         " application_name=" + application_name;
}

std::string replication_pair::primary_dsn(const std::string& application_name) const {
  return dsn_of(primary_.port, application_name);
}

std::string replication_pair::standby_dsn(const std::string& application_name) const {
  return dsn_of(standby_.port, application_name);
}

std::string replication_pair::failover_dsn(const std::string& application_name) const {
  return "host=127.0.0.1,127.0.0.1 port=" + std::to_string(primary_.port) + "," +
         std::to_string(standby_.port) + " dbname=postgres user=" + owner_ +
         " target_session_attrs=read-write application_name=" + application_name;
}

void replication_pair::crash_primary() {
  must_run("pg_ctlcluster " + version_ + " " + primary_.name + " stop -m immediate");
}

void replication_pair::promote_standby() {
  must_run("pg_ctlcluster " + version_ + " " + standby_.name + " promote");
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (query(standby_.port, "SELECT pg_is_in_recovery()").at(0).at(0) != "f") {
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("the promoted standby still recovers after 30 s");
    }
    std::this_thread::sleep_for(10ms);
  }
}

std::vector<std::vector<std::string>> replication_pair::query(uint16_t port,
                                                              const std::string& sql) const {
  pqxx::connection conn{dsn_of(port, "artifact-store-test")};
  pqxx::nontransaction work{conn};
  std::vector<std::vector<std::string>> rows;
  for (const auto& row : work.exec(sql)) {
    std::vector<std::string> values;
    for (const auto& field : row) {
      values.push_back(field.is_null() ? "<null>" : field.c_str());
    }
    rows.push_back(std::move(values));
  }
  return rows;
}

}  // namespace artifacts::scenarios
