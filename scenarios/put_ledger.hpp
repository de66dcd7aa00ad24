// Puts as their callers saw them, and the check that a PostgreSQL store holds
// exactly those: for the tests that put under faults and load, where "no
// acknowledged put lost, none doubled" must be able to fail.
//
// The table's primary key alone makes a second row under one key impossible,
// so counting rows against distinct keys proves nothing. What can go wrong,
// and what the ledger checks instead: a put that answers a ref other than
// the one stored, bytes that are not the put's, a row that no put made (a
// repeat stored under another key), an acknowledged put without its row.
#pragma once

#include <functional>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <artifact_store/v1/artifacts.pb.h>
#include <artifact_store/client.hpp>

#include "scenarios/concurrent_callers.hpp"
#include "scenarios/postgres_schema.hpp"

namespace artifacts::scenarios {

// What check_rows found in the table.
struct ledger_rows {
  size_t rows = 0;
  // Rows of acknowledged artifacts.
  size_t acknowledged = 0;
  // Rows of puts that failed with unavailable (their outcome was unknown).
  size_t unknown = 0;
};

// Not thread-safe: record from one thread (after the callers are joined).
class put_ledger {
 public:
  // A put acknowledged with `ref`. Puts of the same artifact (same scope and
  // id) must all have been acknowledged with the same ref; check_served
  // reports those that were not.
  void acknowledged(const v1::PutRequest& request, const v1::ArtifactRef& ref);

  // A put that failed with unavailable: the store may hold it or not. Its id
  // is the one the standard rule gives its namespace and bytes.
  void unknown(const v1::PutRequest& request);

  // Distinct artifacts acknowledged.
  size_t acknowledged_artifacts() const;

  // Reads every acknowledged artifact back through `c`, from `threads`
  // threads: its stored ref (get_ref) is the ref acknowledged, field for
  // field, and its bytes (get) are the put's, hash to the ref's digest and
  // have the ref's size. Records every discrepancy in `problems`.
  void check_served(client& c, failure_log& problems, int threads = 8) const;

  // Reads the table behind the driver: every row is an acknowledged artifact
  // or one whose put failed with unavailable, every acknowledged artifact has
  // its row, and every row's bytes are its put's and agree with the row's
  // digest and size. Records every discrepancy in `problems`.
  ledger_rows check_rows(const testing::temporary_schema& schema, failure_log& problems) const;

  // check_rows on a table that `query` reads: it runs a statement on the
  // artifacts' database and returns every row as strings.
  using row_query = std::function<std::vector<std::vector<std::string>>(const std::string& sql)>;
  ledger_rows check_rows(const row_query& query, failure_log& problems) const;

 private:
  struct entry {
    v1::Scope scope;
    std::string id;
    std::string sha256;  // of the put's bytes
    int64_t size = 0;
    std::optional<v1::ArtifactRef> ref;  // set when acknowledged
  };

  entry& entry_for(const v1::PutRequest& request, const std::string& id);

  std::map<std::string, entry> entries_;  // by scope and id
  std::vector<std::string> conflicts_;    // refs that disagree for one artifact
};

}  // namespace artifacts::scenarios
