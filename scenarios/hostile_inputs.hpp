// The hostile-input table: crafted requests a store must refuse with the
// right typed error, or store and return literally, without changing
// anything else. Driver-agnostic: it runs against any store_factory.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <artifact_store/v1/artifacts.pb.h>
#include <artifact_store/errc.hpp>
#include <artifact_store/store_config.hpp>

#include "scenarios/store_fixture.hpp"

namespace artifacts::scenarios {

enum class hostile_op {
  put,
  put_text,
  get,
  get_ref,
  exists,
  remove,
  list,
  get_range,
  begin_upload,
  append,
  upload_status,
  commit_upload,
};

// One request; only the member matching `op` is used.
struct hostile_request {
  hostile_op op = hostile_op::put;
  v1::PutRequest put;             // put, put_text; begin_upload's metadata
  v1::Key key;                    // get, get_ref, exists, remove, get_range
  v1::ListRequest list;           // list
  int64_t offset = 0;             // get_range, append
  std::optional<int64_t> length;  // get_range
  std::string upload_id;          // append, upload_status, commit_upload
  std::string data;               // append
  std::string sha256;             // commit_upload
};

// What a case must lead to. Whatever it is, the store's other contents must
// be exactly what they were before the case.
enum class hostile_expect {
  // The request fails with the case's code.
  fails,
  // A put that succeeds, stores every field exactly as given (the namespace
  // and mime type defaults aside) and round-trips: get returns the bytes,
  // get_ref and the listing return the ref, a re-put returns it unchanged,
  // and delete removes it again.
  stored_literally,
  // A key that names nothing: get, get_ref and get_range answer found =
  // false, exists and delete answer false.
  absent,
  // A listing that succeeds and shows only refs matching its filter: all of
  // them when it has no page token, a subset otherwise.
  listed,
};

// What the runner stores before the table runs, for cases to point at.
struct hostile_context {
  // Stored in canary_scope() under namespace "canary": its bytes and ref
  // must be unchanged after every case.
  v1::ArtifactRef canary;
  // Stored in canary_scope() under namespace "collide", where
  // hostile_store_config() gives every content the same id.
  v1::ArtifactRef collision_victim;
  // A token continuing a listing of canary_scope()'s tenant.
  std::string foreign_page_token;
};

struct hostile_case {
  std::string name;
  // Builds the request, against the artifacts of the context. Called on the
  // thread that runs the case (see run_hostile_cases).
  std::function<hostile_request(const hostile_context&)> request;
  hostile_expect expect = hostile_expect::fails;
  // The error a `fails` case expects.
  errc code = errc::internal;
};

// The scope of the canary and the collision victim.
v1::Scope canary_scope();

// The tweaks the table assumes: a payload limit of 4096 bytes, and every
// content stored under namespace "collide" gets the id
// "collide_000000000000" (a forced 48-bit collision). Everything else keeps
// the defaults of storage_options.hpp.
store_config hostile_store_config();

// Every case of the table.
std::vector<hostile_case> hostile_cases();

// A description of something outside the store that no case may change (for
// the filesystem driver: what lies around its root). Empty: nothing to watch.
using outside_view = std::function<std::string()>;

// What one combination of driver and access runs against.
struct hostile_target {
  store_factory make;
  outside_view outside;
  // Kept alive while the table runs (for example a folder the factory and
  // the outside view share).
  std::shared_ptr<void> resources;
};

// Opens one store with hostile_store_config() through `target.make`, stores
// the context's artifacts, and runs every case, each followed by the check
// that nothing else changed: the listing of the whole store, the bytes of
// every artifact stored beforehand and the outside view are as they were.
// Each case runs on a thread of its own with a large stack, so that building
// and destroying a deeply nested request cannot exhaust the stack of the
// test itself; only the store's behaviour is under test.
//
// Reports each failing case by name, with what went wrong, as a Catch2
// failure, and prints "<label>: N of M cases passed" to stdout.
void run_hostile_cases(const std::string& label, const hostile_target& target);

// Registers a Catch2 test case "hostile inputs: <combination>", tagged
// [hostile], that calls run_hostile_cases on the target `make_target`
// returns (called only when the test case runs). Call it from a static
// initializer, once per combination. Returns true.
bool register_hostile_suite(const std::string& combination,
                            std::function<hostile_target()> make_target);

}  // namespace artifacts::scenarios
