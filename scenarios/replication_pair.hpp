// A PostgreSQL primary and a streaming standby of it, for the tests of
// failover and of reads from a standby: two clusters of the installed
// server, made with pg_createcluster, the standby cloned with pg_basebackup,
// both driven with pg_ctlcluster and dropped on destruction.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace artifacts::scenarios {

struct replication_options {
  // The primary waits for the standby to flush each commit's WAL before the
  // commit returns (synchronous_standby_names names it).
  bool synchronous = true;
  // The standby applies what it receives this long after the primary
  // committed it (recovery_min_apply_delay): a standby that lags on purpose.
  std::chrono::milliseconds apply_delay{0};
};

// Made as root (the clusters then belong to postgres) or as the owner of
// the clusters to make; inside pg_virtualenv, whose cluster names the server
// version, the clusters are registered under its PG_CLUSTER_CONF_ROOT. The
// constructor returns once the standby streams from the primary (and counts
// as synchronous when asked), or throws std::runtime_error with what the
// tools printed.
class replication_pair {
 public:
  explicit replication_pair(replication_options options = {});
  ~replication_pair();
  replication_pair(const replication_pair&) = delete;
  replication_pair& operator=(const replication_pair&) = delete;

  uint16_t primary_port() const { return primary_.port; }
  uint16_t standby_port() const { return standby_.port; }

  // A keyword DSN of the database `postgres` on one server.
  std::string primary_dsn(const std::string& application_name) const;
  std::string standby_dsn(const std::string& application_name) const;

  // A DSN naming both servers, primary first, with
  // target_session_attrs=read-write: libpq connects to whichever of them
  // accepts writes.
  std::string failover_dsn(const std::string& application_name) const;

  // Stops the primary in immediate mode, the way a crash stops it: every
  // session ends at once and nothing is checkpointed.
  void crash_primary();

  // Promotes the standby and returns once it accepts writes.
  void promote_standby();

  // Runs `sql` on the server at `port` and returns every row as strings
  // (NULL as "<null>"). Throws whatever libpqxx throws.
  std::vector<std::vector<std::string>> query(uint16_t port, const std::string& sql) const;

 private:
  struct cluster {
    std::string name;
    std::string data_directory;
    uint16_t port = 0;
    bool created = false;
  };

  std::string dsn_of(uint16_t port, const std::string& application_name) const;

  // Stops and drops the clusters made so far and removes their folder.
  void drop() noexcept;

  std::string version_;
  std::string owner_;
  cluster primary_;
  cluster standby_;
};

}  // namespace artifacts::scenarios
