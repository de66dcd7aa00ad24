// The data subcommands: put, get, stat, exists, rm, ls, the lifecycle ones:
// sweep, purge and du, and ping. Each runs one
// operation through a client (in-process or against a node, with the same
// output), prints its result and returns the exit status (see
// exit_status.hpp).
#pragma once

#include <cstdint>
#include <string>

#include <artifact_store/client.hpp>

#include "cli/flags.hpp"

namespace artifacts::cli {

struct put_flags {
  scope_flags scope;
  std::string name_space;
  std::string mime_type;
  std::string filename;  // empty: the input file's name, if there is one
  std::string source;    // a JSON object, already checked by the parser
  bool text = false;
  std::string input;       // a path, or "-"/empty for standard input
  std::string ttl;         // --ttl, already checked by the parser; empty: none
  std::string expires_at;  // --expires-at (RFC 3339), already checked; empty: none
  // --part-size: an input larger than this streams as an upload of chunks
  // this large; a smaller one travels in one message.
  uint64_t part_bytes = uint64_t{4} << 20;
  std::string upload_id;  // --upload-id: an upload to continue; empty: none
};

struct key_flags {
  scope_flags scope;
  std::string id;
};

// get --offset/--length: which part of the artifact to write.
struct range_flags {
  uint64_t offset = 0;      // --offset
  bool has_length = false;  // --length was given
  uint64_t length = 0;      // --length
};

struct list_flags {
  scope_flags filter;
  uint64_t limit = 0;  // 0: everything
};

// Stores the input and prints the ref as one line of JSON. Exit 0, or 3 when
// the input cannot be read or the store refuses it. An input larger than
// flags.part_bytes streams as an upload (client::write), with its progress
// on a terminal; a failure then names the upload, which --upload-id
// continues.
int run_put(client& store, const put_flags& flags);

// Writes the artifact's bytes to `output` (a path, or "-"/empty for stdout).
// Exit 0 when found, 1 when not (nothing is written, no file is created).
int run_get(client& store, const key_flags& flags, const std::string& output);

// Writes `range.length` bytes of the artifact from `range.offset` (to its
// end without a length) to `output`, as a series of ranged reads, each
// written out as it arrives. Exit 0 when found, with nothing written for
// an offset at or past the end; 1 when not found (no file is created).
int run_get_range(client& store, const key_flags& flags, const range_flags& range,
                  const std::string& output);

// Prints the ref as one line of JSON. Exit 0 when found, 1 when not (nothing
// is printed).
int run_stat(client& store, const key_flags& flags);

// Prints true or false. Exit 0 for true, 1 for false.
int run_exists(client& store, const key_flags& flags);

// Deletes; prints nothing. Exit 0 when the artifact existed, 1 when not.
int run_rm(client& store, const key_flags& flags);

// Prints one ref per line as JSON, in the store's order, following page
// tokens until flags.limit refs are printed or the listing ends. Exit 0.
int run_ls(client& store, const list_flags& flags);

// Runs one pass of the sweeper and prints {"deleted":N,"bytes":B}. Exit 0.
int run_sweep(client& store);

// Deletes every artifact of the filter (tenant required) and prints
// {"deleted":N,"bytes":B}. Exit 0.
int run_purge(client& store, const scope_flags& filter);

// Prints the count and bytes of the filter's live artifacts (tenant
// required) as {"count":N,"bytes":B}. Exit 0.
int run_du(client& store, const scope_flags& filter);

// Asks the store for one answer that goes through a worker to its backend,
// and prints {"ok":true,"milliseconds":M}. Exit 0 when it answers; 3, with
// the error, when it does not (a dead node, a database that is down).
int run_ping(client& store);

// Checks a --source value: empty when it is a JSON object, else why not.
std::string check_source_json(const std::string& json);

}  // namespace artifacts::cli
