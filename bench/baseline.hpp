// The baselines: PostgreSQL spoken to directly, one connection per caller
// thread, no actors. They write the store's own table (artifacts_blobs), so
// the DSN must already be migrated (opening the store on it does that).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "bench/subject.hpp"

namespace artifacts::bench {

enum class baseline_kind {
  // What a straight port of the original driver does through libpqxx
  // exec_params: a put is BEGIN; SELECT at the key; INSERT … ON CONFLICT DO
  // NOTHING; SELECT; COMMIT (only the SELECT when the row exists); a get is
  // one SELECT with a text (hex) result.
  seed,
  // What a careful libpq user writes without pipelining: prepared
  // statements, a put is one INSERT … ON CONFLICT DO NOTHING with the bytes
  // as a binary parameter, a get is one SELECT with a binary result.
  raw,
};

// "seed" or "raw"; nullopt for anything else.
std::optional<baseline_kind> parse_baseline(std::string_view name);

// A baseline on `dsn`, a PostgreSQL DSN (URI or keyword string). Opening a
// caller connects (bounded by a 5 s connect timeout; statements by 15 s) and
// throws std::runtime_error when the server cannot be reached.
std::unique_ptr<subject> make_baseline(baseline_kind kind, std::string dsn, run_scope where);

// Issues CHECKPOINT on the PostgreSQL server of `dsn` and returns when it is
// done: every dirty buffer written and the WAL position reset, so that a run
// begun next finds none of an earlier run's writes still to flush. Needs a
// superuser or a member of pg_checkpoint (PostgreSQL 15). Bounded by a 5 s
// connect timeout and 120 s for the CHECKPOINT itself. Throws store_error:
// unavailable when the server cannot be reached, internal when it refuses
// or fails the CHECKPOINT.
void checkpoint(const std::string& dsn);

}  // namespace artifacts::bench
