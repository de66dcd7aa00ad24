#include "cli/migrate_command.hpp"

#include <exception>
#include <string>

#include <artifact_store/errc.hpp>

#include "cli/exit_status.hpp"
#include "cli/report.hpp"
#include "cli/store_address.hpp"
#include "storage/migrations.hpp"
#include "storage/open_driver.hpp"

namespace artifacts::cli {

int run_migrate(const std::optional<std::string>& dsn_flag) {
  storage_options options;
  options.dsn = resolve_dsn(dsn_flag);
  std::string driver;
  try {
    driver = std::string(open_driver(options)->name());
  } catch (const store_error& e) {
    return report_error(e.code(), e.what());
  } catch (const std::exception& e) {
    return report_error(errc::internal, std::string("migrate: ") + e.what());
  }
  const auto migrations = embedded_migrations(driver);
  if (migrations.empty()) {
    return print_line("nothing to migrate (driver: " + driver + ")");
  }
  return print_line("schema is up to date at version " + std::to_string(migrations.back().version) +
                    " (driver: " + driver + ")");
}

}  // namespace artifacts::cli
