// The statements of the SQL drivers that select by a scope filter: lists,
// usage and purges. One per filter shape, so that an index serves the
// filter (and a list's order: the scan starts at the page token's cursor and
// stops after the page, keyset pagination). PostgreSQL and SQLite share the
// shapes and the parameters; each has its own spelling of the text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <artifact_store/v1/artifacts.pb.h>

namespace artifacts {

// How many of the filter's scope fields are fixed from the tenant on: the
// longest run of non-empty fields among tenant, user, session and task, in
// that order (0 to 4). {tenant: "A"} is 1, {tenant: "A", session: "S"} is 1
// too (its session is filtered row by row, inside the tenant's range), {} and
// {user: "U"} are 0.
size_t fixed_prefix(const v1::Scope& filter);

inline constexpr size_t list_shapes = 5;

enum class sql_flavour {
  // $n placeholders, every key comparison and the order in the "C"
  // collation (bytewise, whatever the database's default), which the index
  // artifacts_blobs_list_order has too.
  postgres,
  // ?n placeholders, the columns' BINARY collation (bytewise), which the
  // primary key has.
  sqlite,
};

// The statement for filters that fix `prefix` fields (0 to 4): equality on
// the fixed fields and a row comparison with the cursor over the remaining
// key columns, which an index on the key takes as the start of its scan;
// the scope fields after the first empty one are filtered row by row, and
// so are rows expired at the statement's instant. The columns are those of
// ref_columns; the parameters those of list_parameters, in its order.
std::string list_statement_text(size_t prefix, sql_flavour flavour);

// The select list of a ref: the ten metadata columns of the Go driver's
// schema, then created_at and expires_at (NULL: never) as microseconds since
// the Unix epoch.
std::string ref_columns(sql_flavour flavour);

// The condition that a row is live at the instant in parameter `number`
// (microseconds since the Unix epoch).
std::string live_at(size_t number, sql_flavour flavour);

// The parameters of the statement for `filter` (all text, in its order),
// continuing strictly after `after` (null: from the first row) with at most
// `limit` rows live at `now` (microseconds since the Unix epoch). Empty when `after` lies past
// every row the filter can match, so the page is empty without asking the database.
//
// A page starts at the cursor's remaining key columns when the cursor lies
// inside the filter's fixed range; before it, the page starts at the range's
// first row. The first page's cursor is all empty strings, before every row
// because no id is empty.
std::optional<std::vector<std::string>> list_parameters(const v1::Scope& filter,
                                                        const v1::ListCursor* after, uint32_t limit,
                                                        int64_t now);

// The parameters that select a filter's scope in the usage and purge
// statements: the fixed fields, then each later scope field (empty: any).
std::vector<std::string> scope_parameters(const v1::Scope& filter);

// The count and the total size of the rows matching a filter that fixes
// `prefix` fields (1 to 4) and are live at an instant: scope_parameters,
// then the instant (microseconds since the Unix epoch). Counts row by row;
// on PostgreSQL a filter of a whole tenant reads the tenant's counts instead
// (postgres/statements.hpp).
std::string usage_statement_text(size_t prefix, sql_flavour flavour);

// Deletes up to a number of rows matching a filter that fixes `prefix`
// fields (1 to 4), live or expired, and returns size_bytes and expires_at
// (microseconds since the Unix epoch, NULL: never) of each: parameters
// scope_parameters, then the number. On PostgreSQL the rows are locked
// (FOR UPDATE) before they are deleted, waiting for a writer of one of them,
// and each returns its tenant first, for the statement's caller to count
// what it removed.
std::string purge_statement_text(size_t prefix, sql_flavour flavour);

}  // namespace artifacts
