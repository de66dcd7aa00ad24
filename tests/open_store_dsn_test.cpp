// open_store on DSNs it cannot serve: each fails at open time with its typed
// error (include/artifact_store/store.hpp), and no error message repeats a password.
// (A TLS key with a wrong passphrase is covered in remote_faults_test.cpp.)
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <catch2/catch.hpp>

#include <artifact_store/configure.hpp>
#include <artifact_store/errc.hpp>
#include <artifact_store/error.hpp>
#include <artifact_store/store.hpp>

#include "storage/dsn.hpp"
#include "storage/postgres/conninfo.hpp"

using namespace artifacts;

namespace {

struct dsn_case {
  std::string name;
  std::string dsn;
  errc code;
};

std::vector<dsn_case> refused_dsns() {
  const auto unknown = errc::unknown_driver;
  const auto invalid = errc::invalid_argument;
  return {
      {"mysql scheme", "mysql://x", unknown},
      {"http scheme", "http://x", unknown},
      {"a word without a scheme", "artifacts.db", unknown},
      {"empty", "", invalid},
      {"sqlite without a path", "sqlite:", invalid},
      {"fs without a path", "fs:", invalid},
      {"unterminated IPv6 host", "postgres://[::1", invalid},
      {"port over 65535", "postgres://host:99999/db", invalid},
      {"port that is no number", "postgres://host:abc/db", invalid},
      {"port 0", "postgresql://host:0/db", invalid},
      {"negative port", "postgres://host:-1/db", invalid},
      {"bad port in a keyword string", "host=localhost port=abc dbname=db", invalid},
      {"bad port in a host list", "postgres://a:5432,b:70000/db", invalid},
      {"unknown URI parameter", "postgres://host/db?no_such_option=1", invalid},
      {"unknown keyword", "host=localhost no_such_option=1", invalid},
      {"NUL in a postgres DSN", std::string("postgres://host\0/db", 19), invalid},
      {"NUL in a sqlite path", std::string("sqlite:/tmp/a\0b.db", 18), invalid},
      {"NUL in a memory DSN", std::string("memory:\0", 8), invalid},
      {"only a NUL", std::string(1, '\0'), invalid},
  };
}

}  // namespace

TEST_CASE("open_store refuses DSNs it cannot serve with their typed error", "[open][dsn]") {
  caf::actor_system_config cfg;
  configure_actor_system(cfg);
  caf::actor_system sys{cfg};
  for (const auto& entry : refused_dsns()) {
    INFO("DSN case: " << entry.name);
    store_config config;
    config.storage.dsn = entry.dsn;
    auto opened = open_store(sys, config);
    REQUIRE_FALSE(opened);
    CHECK(std::string(to_string(code_of(opened.error()))) == to_string(entry.code));
    CHECK_THAT(message_of(opened.error()), Catch::Matchers::Contains("open"));
  }
}

TEST_CASE("a malformed PostgreSQL DSN is refused without showing its password", "[open][dsn]") {
  caf::actor_system_config cfg;
  configure_actor_system(cfg);
  caf::actor_system sys{cfg};
  for (const std::string dsn :
       {"postgres://user:s3cret-pw@host:99999/db", "postgres://user:s3cret-pw@[::1/db",
        "host=localhost password=s3cret-pw port=x"}) {
    INFO("DSN: " << dsn);
    store_config config;
    config.storage.dsn = dsn;
    auto opened = open_store(sys, config);
    REQUIRE_FALSE(opened);
    CHECK(code_of(opened.error()) == errc::invalid_argument);
    CHECK_THAT(message_of(opened.error()), !Catch::Matchers::Contains("s3cret-pw"));
  }
}

TEST_CASE("ports libpq accepts pass the DSN check", "[open][dsn]") {
  storage_options options;
  for (const std::string dsn :
       {"postgres://host:5432/db", "postgres://host:1/db", "postgresql://host:65535/db",
        "postgres://a:5432,b:5433/db", "host=a,b port=5432,", "port= 5433 ", "dbname=db"}) {
    INFO("DSN: " << dsn);
    CHECK_NOTHROW(postgres::make_conninfo(dsn, options));
  }
}

TEST_CASE("a DSN fit to print keeps its settings and loses its password", "[dsn]") {
  CHECK(dsn_without_password("postgres://user:s3cret-pw@db.example:5433/artifacts") ==
        "user='user' dbname='artifacts' host='db.example' port='5433'");
  CHECK(dsn_without_password("host=a,b port=5432 password='s3cret pw' application_name='it\\'s'") ==
        "host='a,b' port='5432' application_name='it\\'s'");
  CHECK(dsn_without_password("postgres://user:s3cret-pw@[::1/db") ==
        "(a PostgreSQL DSN that libpq cannot parse)");
  CHECK(dsn_without_password("sqlite:/var/lib/artifact-store/artifacts.db") ==
        "sqlite:/var/lib/artifact-store/artifacts.db");
  CHECK(dsn_without_password("fs:/srv/a") == "fs:/srv/a");
  CHECK(dsn_without_password("nosuch:x") == "nosuch:x");
}
