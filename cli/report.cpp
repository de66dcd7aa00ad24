#include "cli/report.hpp"

#include <iostream>

#include <caf/error.hpp>

#include <artifact_store/error.hpp>

#include "cli/exit_status.hpp"

namespace artifacts::cli {

int report_error(const caf::error& err) {
  std::cerr << "error: " << describe(err) << std::endl;
  return exit_error;
}

int report_error(errc code, const std::string& message) {
  return report_error(make_error(code, message));
}

int print_line(const std::string& line) {
  std::cout << line << '\n' << std::flush;
  if (!std::cout) {
    return report_error(errc::internal, "cannot write to standard output");
  }
  return exit_ok;
}

}  // namespace artifacts::cli
