#include "cli/migrate_command.hpp"

#include <exception>
#include <string>
#include <vector>

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

namespace {

std::string listed(const std::vector<int>& versions) {
  if (versions.empty()) {
    return "none";
  }
  std::string out;
  for (int version : versions) {
    out += (out.empty() ? "" : ", ") + std::to_string(version);
  }
  return out;
}

}  // namespace

int run_migrate_status(const std::optional<std::string>& dsn_flag) {
  storage_options options;
  options.dsn = resolve_dsn(dsn_flag);
  schema_status status;
  try {
    status = read_schema_status(options);
  } catch (const store_error& e) {
    return report_error(e.code(), e.what());
  } catch (const std::exception& e) {
    return report_error(errc::internal, std::string("migrate: ") + e.what());
  }
  std::vector<std::string> lines{"driver: " + status.driver,
                                 "applied: " + listed(status.versions.applied),
                                 "pending: " + listed(status.versions.pending)};
  if (!status.versions.newer.empty()) {
    lines.push_back("newer than this artifact-store: " + listed(status.versions.newer));
  }
  for (const auto& line : lines) {
    if (const int printed = print_line(line); printed != exit_ok) {
      return printed;
    }
  }
  return exit_ok;
}

}  // namespace artifacts::cli
