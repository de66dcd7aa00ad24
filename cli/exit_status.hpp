// The command's exit statuses, the same for every subcommand.
#pragma once

namespace artifacts::cli {

enum exit_status : int {
  // Success; for get, stat, exists and rm: the artifact was there.
  exit_ok = 0,
  // get, stat, exists, rm: no such artifact in the scope. Not an error.
  exit_not_found = 1,
  // The command line is malformed; the usage text was printed.
  exit_usage = 2,
  // The store, the node or the local system reported an error, printed to
  // stderr as "error: <code>: <message>".
  exit_error = 3,
};

}  // namespace artifacts::cli
