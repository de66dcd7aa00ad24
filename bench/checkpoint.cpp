// A CHECKPOINT before a measured run, through one short-lived connection.
#include <cctype>
#include <chrono>
#include <exception>
#include <string>

#include <pqxx/connection>
#include <pqxx/nontransaction>

#include <artifact_store/errc.hpp>

#include "bench/baseline.hpp"
#include "bench/baseline_parts.hpp"
#include "storage/postgres/conninfo.hpp"

namespace artifacts::bench {

void checkpoint(const std::string& dsn) {
  auto options = baseline_storage_options(dsn);
  // Writing out the buffers of a run of 1 MiB puts takes seconds with fsync
  // on; the bound is for a server that stopped answering.
  options.statement_timeout = std::chrono::seconds{120};
  const auto info = postgres::make_conninfo(dsn, options);
  auto conn = postgres::connect("bench: CHECKPOINT", info, options);
  try {
    pqxx::nontransaction tx{*conn};
    tx.exec0("CHECKPOINT");
  } catch (const std::exception& e) {
    std::string reason = e.what();
    while (!reason.empty() && std::isspace(static_cast<unsigned char>(reason.back()))) {
      reason.pop_back();
    }
    throw store_error(errc::internal, "CHECKPOINT: " + reason);
  }
}

}  // namespace artifacts::bench
