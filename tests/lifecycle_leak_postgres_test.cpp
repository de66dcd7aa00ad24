// lifecycle_leak_test.cpp for PostgreSQL: 100 stores opened, used and
// closed in one actor system leave no thread, descriptor or server
// connection behind. The stores' connections carry an application_name of
// their own, so that the server can count exactly theirs; while each store
// is open, the count must see its pool's connections, or "none left" would
// prove nothing.
#include <unistd.h>

#include <string>

#include <catch2/catch.hpp>

#include "scenarios/postgres_schema.hpp"
#include "scenarios/store_cycles.hpp"

TEST_CASE("postgres: 100 stores opened, used and closed leave nothing behind",
          "[postgres][lifecycle]") {
  artifacts::testing::temporary_schema schema;
  const std::string name = "leaktest-" + std::to_string(::getpid());
  const auto backends_before = schema.connections_named(name);

  artifacts::scenarios::check_cycles_leave_nothing(
      schema.dsn(name),
      {"server connections named " + name, [&] { return schema.connections_named(name); }, true});
  CHECK(schema.connections_settled(name, backends_before) == backends_before);
}
