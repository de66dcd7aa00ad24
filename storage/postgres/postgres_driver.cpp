#include "storage/postgres/postgres_driver.hpp"

#include <utility>

#include <pqxx/nontransaction>

#include <artifact_store/errc.hpp>

#include "storage/dsn.hpp"
#include "storage/postgres/conninfo.hpp"
#include "storage/postgres/migrate.hpp"
#include "storage/postgres/pg_errors.hpp"
#include "storage/postgres/postgres_backend.hpp"

namespace artifacts {

namespace {

class postgres_driver final : public driver {
 public:
  postgres_driver(const storage_options& options, postgres::conninfo info)
      : options_(options),
        info_(std::move(info)),
        watchdog_(std::make_shared<postgres::call_watchdog>()) {}

  std::string_view name() const noexcept override {
    return driver_kind_name(driver_kind::postgres);
  }

  std::unique_ptr<backend> open_backend() override {
    return postgres::make_backend(postgres::connect("connect", info_, options_, watchdog_.get()),
                                  watchdog_, postgres::call_bound(options_), options_.clock);
  }

  const storage_options& options() const noexcept override { return options_; }

 private:
  storage_options options_;
  postgres::conninfo info_;
  // Shared with every backend, which keeps it alive while it is armed.
  std::shared_ptr<postgres::call_watchdog> watchdog_;
};

}  // namespace

std::shared_ptr<driver> make_postgres_driver(const storage_options& options,
                                             const std::string& conninfo) {
  auto info = postgres::make_conninfo(conninfo, options);
  {
    // Proves the server reachable and leaves the schema current; the
    // connection closes here, releasing anything it still held.
    auto conn = postgres::connect("open", info, options);
    postgres::migrate(*conn, options.migration_timeout);
  }
  return std::make_shared<postgres_driver>(options, std::move(info));
}

std::shared_ptr<driver> make_postgres_read_driver(const storage_options& options,
                                                  const std::string& conninfo) {
  auto info = postgres::make_conninfo(conninfo, options, "prefer-standby");
  {
    auto conn = postgres::connect("open the read DSN", info, options);
    bool has_table = false;
    try {
      pqxx::nontransaction work{*conn};
      has_table = !work.exec1("SELECT to_regclass('artifacts_blobs')")[0].is_null();
    } catch (...) {
      postgres::rethrow_as_store_error("open the read DSN");
    }
    if (!has_table) {
      throw store_error(errc::invalid_argument,
                        "open: the read DSN's server holds no artifacts table (is it a standby "
                        "of the store's database, with the same search_path?)");
    }
  }
  return std::make_shared<postgres_driver>(options, std::move(info));
}

std::set<int> recorded_postgres_versions(const storage_options& options,
                                         const std::string& conninfo) {
  auto conn = postgres::connect("migrate", postgres::make_conninfo(conninfo, options), options);
  return postgres::recorded_versions(*conn);
}

}  // namespace artifacts
