// Printing results and errors in the command's output format.
#pragma once

#include <string>

#include <caf/fwd.hpp>

#include <artifact_store/errc.hpp>

namespace artifacts::cli {

// Prints "error: <code>: <message>" for `err` on stderr and returns
// exit_error. `err` is a store error or any CAF error (see code_of).
int report_error(const caf::error& err);

// The same for an error the command itself detects.
int report_error(errc code, const std::string& message);

// Prints `line` and a newline on stdout and flushes. Returns exit_ok, or
// reports an internal error and returns exit_error when stdout cannot be
// written (a closed pipe, a full disk).
int print_line(const std::string& line);

}  // namespace artifacts::cli
