// Inserting a batch of new artifacts in one round trip and one commit.
#pragma once

#include <cstddef>
#include <vector>

#include <libpq-fe.h>
#include <pqxx/connection>

#include "storage/backend.hpp"

namespace artifacts::postgres {

// Sends the inserts of a batch through the libpq handle of one libpqxx
// connection as one pipeline: every insert goes out before the first answer
// is read, and the pipeline's single sync point makes them one implicit
// transaction, so the batch costs one round trip and one commit. Uses a
// prepared statement of its own (prepared again when libpqxx has replaced the
// handle). Use it only between libpqxx transactions on that connection, from
// the thread that owns it.
class batch_inserter {
 public:
  // Inserts artifacts[order[0]], artifacts[order[1]], … in that order, each
  // unless a row is at its key already (that row is left unchanged), and
  // commits. Element i of the result tells whether artifacts[i] was
  // inserted. Binary parameters carry the payload and the source; nothing is
  // hex-encoded. What was inserted is counted in artifacts_usage in the same
  // transaction (statements.hpp): by the insert itself for a batch of one,
  // which stays one round trip; once per tenant for a larger batch, whose
  // inserts then run in an explicit transaction and whose counts and commit
  // take a second round trip.
  //
  // All or nothing: when any insert fails, the whole batch is rolled back
  // and this throws pqxx::sql_error (with the SQLSTATE) or, when the
  // connection is gone, pqxx::broken_connection, for the caller's mapping to
  // store_error (pg_errors.hpp). The connection is out of pipeline mode again
  // when it returns or throws, unless it was lost.
  std::vector<bool> insert_all(pqxx::connection& conn, const std::vector<new_artifact>& artifacts,
                               const std::vector<size_t>& order);

 private:
  // Prepares the statement on `pg` unless it is prepared there already.
  void prepare_on(PGconn* pg);

  const void* prepared_on_ = nullptr;
};

}  // namespace artifacts::postgres
