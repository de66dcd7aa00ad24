#include "scenarios/hostile_inputs.hpp"

#include <pthread.h>

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <exception>
#include <iostream>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include <google/protobuf/util/message_differencer.h>
#include <catch2/catch.hpp>

#include <artifact_store/client.hpp>
#include <artifact_store/error.hpp>

#include "scenarios/scenario_support.hpp"
#include "storage/artifact_id.hpp"
#include "storage/sha256.hpp"

namespace artifacts::scenarios {

namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

constexpr size_t one_mib = size_t{1} << 20;

// The limit hostile_store_config sets, and the longest id a key may carry
// with the default namespace limit (namespace, '_', a full digest).
constexpr size_t payload_limit = 4096;
constexpr size_t longest_id = limits{}.max_namespace_bytes + 1 + 64;

// The bytes of the artifacts stored before the table runs.
const std::string canary_bytes = "the canary: these bytes and this ref never change";
const std::string neighbour_bytes = "the neighbour's artifact";

// Stack for the thread that runs the table: building and destroying a
// source nested 10 000 levels deep recurses in protobuf's own code.
constexpr size_t table_stack_bytes = size_t{256} << 20;

// ---------------------------------------------------------------------------
// Building requests.

// Where the cases put what they put, unless they craft the scope.
v1::Scope attacker_scope() {
  return make_scope("hostile", "mallory", "session-1", "task-1");
}

// A second tenant with one artifact, for listings across scopes.
v1::Scope neighbour_scope() {
  return make_scope("hostile-neighbour", "bob", "session-1");
}

using put_edit = std::function<void(v1::PutRequest&)>;

// A put of bytes naming the case, under attacker_scope(), crafted by `edit`.
hostile_case put_case(std::string name, hostile_expect expect, errc code, put_edit edit,
                      hostile_op op = hostile_op::put) {
  hostile_case out;
  out.expect = expect;
  out.code = code;
  out.request = [name, edit = std::move(edit), op](const hostile_context&) {
    hostile_request request;
    request.op = op;
    *request.put.mutable_scope() = attacker_scope();
    request.put.set_data("bytes of the hostile case \"" + name + "\"");
    edit(request.put);
    return request;
  };
  out.name = std::move(name);
  return out;
}

hostile_case put_fails(std::string name, errc code, put_edit edit,
                       hostile_op op = hostile_op::put) {
  return put_case(std::move(name), hostile_expect::fails, code, std::move(edit), op);
}

hostile_case put_literal(std::string name, put_edit edit, hostile_op op = hostile_op::put) {
  return put_case(std::move(name), hostile_expect::stored_literally, errc::internal,
                  std::move(edit), op);
}

hostile_case key_case(std::string name, hostile_op op, hostile_expect expect, errc code,
                      std::function<v1::Key(const hostile_context&)> key) {
  hostile_case out;
  out.name = std::move(name);
  out.expect = expect;
  out.code = code;
  out.request = [op, key = std::move(key)](const hostile_context& context) {
    hostile_request request;
    request.op = op;
    request.key = key(context);
    return request;
  };
  return out;
}

hostile_case key_fails(std::string name, hostile_op op, errc code,
                       std::function<v1::Key(const hostile_context&)> key) {
  return key_case(std::move(name), op, hostile_expect::fails, code, std::move(key));
}

hostile_case key_absent(std::string name, hostile_op op,
                        std::function<v1::Key(const hostile_context&)> key) {
  return key_case(std::move(name), op, hostile_expect::absent, errc::internal, std::move(key));
}

// A range of the key `key` makes, from `offset`, `length` bytes long.
hostile_case range_case(std::string name, hostile_expect expect, errc code, int64_t offset,
                        std::optional<int64_t> length,
                        std::function<v1::Key(const hostile_context&)> key) {
  auto out = key_case(std::move(name), hostile_op::get_range, expect, code, std::move(key));
  out.request = [make = std::move(out.request), offset, length](const hostile_context& context) {
    auto request = make(context);
    request.offset = offset;
    request.length = length;
    return request;
  };
  return out;
}

// A begin of an upload under attacker_scope(), its metadata crafted by
// `edit`, that must fail with `code`.
hostile_case begin_fails(std::string name, errc code, put_edit edit) {
  return put_fails(
      std::move(name), code,
      [edit = std::move(edit)](v1::PutRequest& metadata) {
        metadata.clear_data();
        edit(metadata);
      },
      hostile_op::begin_upload);
}

// A request `op` continuing the upload `upload_id`, that must fail with
// `code`; `request` sets what else it carries.
hostile_case upload_fails(std::string name, hostile_op op, errc code, std::string upload_id,
                          std::function<void(hostile_request&)> request = {}) {
  hostile_case out;
  out.name = std::move(name);
  out.expect = hostile_expect::fails;
  out.code = code;
  out.request = [op, upload_id = std::move(upload_id),
                 edit = std::move(request)](const hostile_context&) {
    hostile_request made;
    made.op = op;
    made.upload_id = upload_id;
    made.data = "a chunk";
    if (edit) {
      edit(made);
    }
    return made;
  };
  return out;
}

hostile_case list_case(std::string name, hostile_expect expect, errc code,
                       std::function<v1::ListRequest(const hostile_context&)> list) {
  hostile_case out;
  out.name = std::move(name);
  out.expect = expect;
  out.code = code;
  out.request = [list = std::move(list)](const hostile_context& context) {
    hostile_request request;
    request.op = hostile_op::list;
    request.list = list(context);
    return request;
  };
  return out;
}

// The canary's id, under another scope.
std::function<v1::Key(const hostile_context&)> canary_id_under(v1::Scope scope) {
  return [scope = std::move(scope)](const hostile_context& context) {
    return make_key(scope, context.canary.id());
  };
}

std::function<v1::Key(const hostile_context&)> attacker_key(std::string id) {
  return [id = std::move(id)](const hostile_context&) { return make_key(attacker_scope(), id); };
}

// A source nesting `depth` objects and lists (alternately, the source
// object being the first), with a string at the bottom. Built without
// recursion.
Struct nested_source(size_t depth) {
  Struct root;
  Struct* object = &root;
  google::protobuf::ListValue* list = nullptr;
  for (size_t level = 2; level <= depth; ++level) {
    Value* slot = object != nullptr ? &(*object->mutable_fields())["level"] : list->add_values();
    if (level % 2 == 0) {
      list = slot->mutable_list_value();
      object = nullptr;
    } else {
      object = slot->mutable_struct_value();
      list = nullptr;
    }
  }
  Value* leaf = object != nullptr ? &(*object->mutable_fields())["leaf"] : list->add_values();
  leaf->set_string_value("bottom");
  return root;
}

void set_source_string(v1::PutRequest& request, const std::string& key, const std::string& value) {
  (*request.mutable_source()->mutable_fields())[key].set_string_value(value);
}

// ---------------------------------------------------------------------------
// The table.

// One string field of a put, by the name the store's errors use.
struct put_field {
  const char* name;
  void (*set)(v1::PutRequest&, const std::string&);
};

const put_field put_fields[] = {
    {"tenant", [](v1::PutRequest& r, const std::string& v) { r.mutable_scope()->set_tenant(v); }},
    {"user", [](v1::PutRequest& r, const std::string& v) { r.mutable_scope()->set_user(v); }},
    {"session", [](v1::PutRequest& r, const std::string& v) { r.mutable_scope()->set_session(v); }},
    {"task", [](v1::PutRequest& r, const std::string& v) { r.mutable_scope()->set_task(v); }},
    {"namespace", [](v1::PutRequest& r, const std::string& v) { r.set_namespace_(v); }},
    {"mime type", [](v1::PutRequest& r, const std::string& v) { r.set_mime_type(v); }},
    {"filename", [](v1::PutRequest& r, const std::string& v) { r.set_filename(v); }},
    {"source key", [](v1::PutRequest& r, const std::string& v) { set_source_string(r, v, "x"); }},
    {"source value",
     [](v1::PutRequest& r, const std::string& v) { set_source_string(r, "key", v); }},
};

const std::string nul_inside("nul\0inside", 10);
const std::string invalid_utf8 = "caf\xc3 \xff\xfe";

void add_identity_cases(std::vector<hostile_case>& cases) {
  const auto identity = errc::identity_required;
  cases.push_back(put_fails("put with an empty tenant", identity,
                            [](auto& r) { r.mutable_scope()->set_tenant(""); }));
  cases.push_back(put_fails("put with an empty user", identity,
                            [](auto& r) { r.mutable_scope()->set_user(""); }));
  cases.push_back(put_fails("put with an empty session", identity,
                            [](auto& r) { r.mutable_scope()->set_session(""); }));
  cases.push_back(
      put_fails("put with an empty scope", identity, [](auto& r) { r.mutable_scope()->Clear(); }));
  cases.push_back(put_fails(
      "put_text with a whitespace-only tenant", identity,
      [](auto& r) { r.mutable_scope()->set_tenant(" "); }, hostile_op::put_text));
  cases.push_back(put_fails("put with a whitespace-only user", identity,
                            [](auto& r) { r.mutable_scope()->set_user("\t\n"); }));
  cases.push_back(put_fails("put with a whitespace-only session", identity,
                            [](auto& r) { r.mutable_scope()->set_session(" \r\v\f "); }));
  cases.push_back(key_fails("get with an empty tenant", hostile_op::get, identity,
                            canary_id_under(make_scope("", "alice", "session-1", "task-1"))));
  cases.push_back(
      key_fails("get_ref with a whitespace-only user", hostile_op::get_ref, identity,
                canary_id_under(make_scope("hostile-canary", "  ", "session-1", "task-1"))));
  cases.push_back(key_fails("exists with an empty session", hostile_op::exists, identity,
                            canary_id_under(make_scope("hostile-canary", "alice", "", "task-1"))));
  cases.push_back(key_fails("delete of the canary with a whitespace-only tenant",
                            hostile_op::remove, identity,
                            canary_id_under(make_scope("\t", "alice", "session-1", "task-1"))));
}

void add_malformed_string_cases(std::vector<hostile_case>& cases) {
  const auto invalid = errc::invalid_argument;
  for (const auto& field : put_fields) {
    auto set = field.set;
    cases.push_back(put_fails(std::string("NUL byte in the ") + field.name, invalid,
                              [set](auto& r) { set(r, nul_inside); }));
    cases.push_back(put_fails(std::string("invalid UTF-8 in the ") + field.name, invalid,
                              [set](auto& r) { set(r, invalid_utf8); }));
  }
  cases.push_back(put_fails("NUL byte in the sha256", invalid, [](auto& r) {
    r.set_sha256(sha256_hex(r.data()).substr(0, 63) + std::string(1, '\0'));
  }));
  cases.push_back(put_fails("invalid UTF-8 in the sha256", invalid, [](auto& r) {
    r.set_sha256(sha256_hex(r.data()).substr(0, 62) + "\xc3\x28");
  }));
  cases.push_back(key_fails("NUL byte in the key id (delete of the canary)", hostile_op::remove,
                            invalid, [](const hostile_context& context) {
                              return make_key(canary_scope(), context.canary.id() + '\0');
                            }));
  cases.push_back(key_fails("invalid UTF-8 in the key id", hostile_op::get_ref, invalid,
                            attacker_key("default_\xff" + std::string(11, 'a'))));
  cases.push_back(key_fails("NUL byte in the key's task", hostile_op::exists, invalid,
                            canary_id_under(make_scope("hostile-canary", "alice", "session-1",
                                                       std::string("task-1\0", 7)))));
  cases.push_back(list_case("NUL byte in a list filter", hostile_expect::fails, invalid,
                            [](const hostile_context&) {
                              return list_request(make_scope(std::string("hostile\0", 8), "", ""));
                            }));
  cases.push_back(list_case("invalid UTF-8 in a list filter", hostile_expect::fails, invalid,
                            [](const hostile_context&) {
                              return list_request(make_scope("hostile", invalid_utf8, ""));
                            }));
}

void add_length_cases(std::vector<hostile_case>& cases) {
  const auto invalid = errc::invalid_argument;
  const std::string mib(one_mib, 'n');
  cases.push_back(put_fails("1 MiB namespace", invalid, [mib](auto& r) { r.set_namespace_(mib); }));
  cases.push_back(put_fails("1 MiB filename", invalid, [mib](auto& r) { r.set_filename(mib); }));
  cases.push_back(put_fails("1 MiB mime type", invalid, [mib](auto& r) { r.set_mime_type(mib); }));
  cases.push_back(
      put_fails("1 MiB tenant", invalid, [mib](auto& r) { r.mutable_scope()->set_tenant(mib); }));
  cases.push_back(put_fails("namespace one byte over its limit", invalid,
                            [](auto& r) { r.set_namespace_(std::string(129, 'n')); }));
  cases.push_back(
      list_case("1 MiB tenant in a list filter", hostile_expect::fails, invalid,
                [mib](const hostile_context&) { return list_request(make_scope(mib, "", "")); }));
}

void add_sql_cases(std::vector<hostile_case>& cases) {
  const std::string drop = "'; DROP TABLE artifacts_blobs; --";
  cases.push_back(
      put_literal("SQL in the tenant", [drop](auto& r) { r.mutable_scope()->set_tenant(drop); }));
  cases.push_back(
      put_literal("SQL in the user", [](auto& r) { r.mutable_scope()->set_user("\" OR 1=1 --"); }));
  cases.push_back(put_literal("SQL placeholder in the session",
                              [](auto& r) { r.mutable_scope()->set_session("$1"); }));
  cases.push_back(put_literal("escaped quote in the task", [](auto& r) {
    r.mutable_scope()->set_task("\\x27' \\' ?1 :name @p1");
  }));
  cases.push_back(
      put_literal("LIKE wildcard % as the namespace", [](auto& r) { r.set_namespace_("%"); }));
  cases.push_back(
      put_literal("LIKE wildcard _ as the namespace", [](auto& r) { r.set_namespace_("_"); }));
  cases.push_back(put_literal("SQL in the mime type", [](auto& r) {
    r.set_mime_type("text/plain'); DELETE FROM artifacts_blobs; --");
  }));
  cases.push_back(put_literal("SQL and backslashes in the filename", [](auto& r) {
    r.set_filename("\\'; DROP TABLE schema_migrations; --\\\\");
  }));
  cases.push_back(put_literal("SQL in the source keys and values", [](auto& r) {
    set_source_string(r, "' OR 1=1 --", "$1");
    set_source_string(r, "%", "_");
    set_source_string(r, "\\", "'; DROP TABLE artifacts; --");
  }));
  cases.push_back(put_literal("SQL in every field at once", [drop](auto& r) {
    *r.mutable_scope() = make_scope(drop, "$$ OR $$", "E'\\\\'", "/* --");
    r.set_namespace_("%_%");
    r.set_mime_type("' OR '1'='1");
    r.set_filename("\"; DROP TABLE artifacts; --");
    set_source_string(r, "$2", "%");
  }));
  cases.push_back(put_literal(
      "SQL in the text of put_text",
      [](auto& r) { r.set_data("'; DROP TABLE artifacts_blobs; -- \" OR 1=1 -- $1 \\x27 % _"); },
      hostile_op::put_text));
  cases.push_back(list_case(
      "SQL in a list filter", hostile_expect::listed, errc::internal,
      [](const hostile_context&) { return list_request(make_scope("' OR '1'='1", "", "")); }));
  cases.push_back(list_case(
      "LIKE wildcards in a list filter", hostile_expect::listed, errc::internal,
      [](const hostile_context&) { return list_request(make_scope("%", "_", "%_%", "*")); }));
  cases.push_back(list_case("SQL in the user of a tenant's listing", hostile_expect::listed,
                            errc::internal, [](const hostile_context&) {
                              return list_request(make_scope("hostile-canary", "' OR 1=1 --", ""));
                            }));
  cases.push_back(
      key_absent("SQL in the key id", hostile_op::get, attacker_key("default_' OR 1=1 --")));
  cases.push_back(key_absent("LIKE wildcard as the key id of a delete", hostile_op::remove,
                             [](const hostile_context&) { return make_key(canary_scope(), "%"); }));
  cases.push_back(key_absent("delete of the canary id under tenant %", hostile_op::remove,
                             canary_id_under(make_scope("%", "alice", "session-1", "task-1"))));
}

void add_path_cases(std::vector<hostile_case>& cases) {
  cases.push_back(put_literal("tenant ..", [](auto& r) { r.mutable_scope()->set_tenant(".."); }));
  cases.push_back(put_literal("user ../..", [](auto& r) { r.mutable_scope()->set_user("../.."); }));
  cases.push_back(put_literal("session /etc/passwd",
                              [](auto& r) { r.mutable_scope()->set_session("/etc/passwd"); }));
  cases.push_back(
      put_literal("task a/../../b", [](auto& r) { r.mutable_scope()->set_task("a/../../b"); }));
  cases.push_back(put_literal("namespace .", [](auto& r) { r.set_namespace_("."); }));
  cases.push_back(put_literal("namespace %2e%2e", [](auto& r) { r.set_namespace_("%2e%2e"); }));
  cases.push_back(put_literal("namespace with / and \\",
                              [](auto& r) { r.set_namespace_("a/b\\c/../..\\..\\d"); }));
  cases.push_back(put_literal("filename ../../../../etc/passwd",
                              [](auto& r) { r.set_filename("../../../../etc/passwd"); }));
  cases.push_back(put_literal("every scope field and the namespace ..", [](auto& r) {
    *r.mutable_scope() = make_scope("..", "..", "..", "..");
    r.set_namespace_("..");
  }));
  cases.push_back(put_literal("names of the fs driver's own files", [](auto& r) {
    *r.mutable_scope() = make_scope(".lock", ".tmp-1", "v1", ".");
    r.set_namespace_(".tmp-");
    r.set_filename(".lock");
  }));
  cases.push_back(
      put_literal("the neighbour's bytes under task _ next to its empty task", [](auto& r) {
        *r.mutable_scope() = neighbour_scope();
        r.mutable_scope()->set_task("_");
        r.set_data(neighbour_bytes);
      }));
  cases.push_back(put_literal("the canary's bytes under its tenant in uppercase", [](auto& r) {
    *r.mutable_scope() = canary_scope();
    r.mutable_scope()->set_tenant("HOSTILE-CANARY");
    r.set_namespace_("canary");
    r.set_data(canary_bytes);
  }));
  cases.push_back(put_literal("uppercase and NUL-free control characters", [](auto& r) {
    *r.mutable_scope() = make_scope("HOSTILE-CANARY", "Alice\x01", "session-1\x7f", "\x1b[2J");
    r.set_mime_type("text/plain\r\nX-Injected: yes");
  }));
  cases.push_back(
      key_absent("key id ../../etc/passwd", hostile_op::get, attacker_key("../../etc/passwd")));
  cases.push_back(key_absent("key id with / around the canary's", hostile_op::get_ref,
                             [](const hostile_context& context) {
                               return make_key(canary_scope(), "../" + context.canary.id());
                             }));
}

void add_isolation_cases(std::vector<hostile_case>& cases) {
  cases.push_back(
      key_absent("canary id under its tenant in uppercase", hostile_op::get,
                 canary_id_under(make_scope("HOSTILE-CANARY", "alice", "session-1", "task-1"))));
  cases.push_back(
      key_absent("canary id with the scope fields shifted across a /", hostile_op::get_ref,
                 canary_id_under(make_scope("hostile-canary/alice", "session-1", "task-1"))));
  cases.push_back(
      key_absent("canary id under its tenant with a trailing space", hostile_op::exists,
                 canary_id_under(make_scope("hostile-canary ", "alice", "session-1", "task-1"))));
  cases.push_back(key_absent("delete of the canary id without its task", hostile_op::remove,
                             canary_id_under(make_scope("hostile-canary", "alice", "session-1"))));
  cases.push_back(key_absent("delete of the canary id under another tenant", hostile_op::remove,
                             canary_id_under(neighbour_scope())));
}

void add_payload_cases(std::vector<hostile_case>& cases) {
  cases.push_back(put_literal("zero-byte payload", [](auto& r) { r.set_data(""); }));
  cases.push_back(put_literal(
      "zero-byte text", [](auto& r) { r.set_data(""); }, hostile_op::put_text));
  cases.push_back(put_literal("payload at the limit, every byte value", [](auto& r) {
    std::string data(payload_limit, '\0');
    for (size_t i = 0; i < data.size(); ++i) {
      data[i] = static_cast<char>(i * 7 % 256);
    }
    r.set_data(data);
  }));
  cases.push_back(put_fails("payload one byte over the limit", errc::too_large,
                            [](auto& r) { r.set_data(std::string(payload_limit + 1, 'p')); }));
  cases.push_back(put_fails(
      "text one byte over the limit", errc::too_large,
      [](auto& r) { r.set_data(std::string(payload_limit + 1, 't')); }, hostile_op::put_text));
  cases.push_back(put_fails("1 MiB payload", errc::too_large,
                            [](auto& r) { r.set_data(std::string(one_mib, 'm')); }));
}

void add_digest_cases(std::vector<hostile_case>& cases) {
  const auto invalid = errc::invalid_argument;
  cases.push_back(put_fails("digest of other bytes", invalid,
                            [](auto& r) { r.set_sha256(sha256_hex("other bytes")); }));
  cases.push_back(put_fails("digest one character short", invalid,
                            [](auto& r) { r.set_sha256(sha256_hex(r.data()).substr(0, 63)); }));
  cases.push_back(put_fails("digest one character long", invalid,
                            [](auto& r) { r.set_sha256(sha256_hex(r.data()) + "0"); }));
  cases.push_back(put_fails("the right digest in uppercase", invalid, [](auto& r) {
    auto digest = sha256_hex(r.data());
    for (auto& c : digest) {
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    r.set_sha256(digest);
  }));
  cases.push_back(put_fails("digest of 64 non-hex characters", invalid,
                            [](auto& r) { r.set_sha256(std::string(64, 'z')); }));
  cases.push_back(put_literal("the right digest supplied",
                              [](auto& r) { r.set_sha256(sha256_hex(r.data())); }));
}

void add_collision_cases(std::vector<hostile_case>& cases) {
  auto collide = [](auto& r) {
    *r.mutable_scope() = canary_scope();
    r.set_namespace_("collide");
  };
  cases.push_back(
      put_fails("other content on the collision victim's id", errc::hash_collision, collide));
  cases.push_back(put_fails("other text on the collision victim's id", errc::hash_collision,
                            collide, hostile_op::put_text));
}

void add_source_cases(std::vector<hostile_case>& cases) {
  const auto invalid = errc::invalid_argument;
  cases.push_back(put_fails("source nested 10 000 levels", invalid,
                            [](auto& r) { *r.mutable_source() = nested_source(10000); }));
  cases.push_back(put_fails("source nested one level over the limit", invalid, [](auto& r) {
    *r.mutable_source() = nested_source(max_source_depth_ceiling + 1);
  }));
  cases.push_back(put_literal("source nested at the limit", [](auto& r) {
    *r.mutable_source() = nested_source(max_source_depth_ceiling);
  }));
  cases.push_back(put_fails("source over its size limit", invalid, [](auto& r) {
    set_source_string(r, "blob", std::string(limits{}.max_source_json_bytes + 1, 's'));
  }));
  cases.push_back(put_fails("NaN in the source", invalid, [](auto& r) {
    (*r.mutable_source()->mutable_fields())["n"].set_number_value(std::nan(""));
  }));
  cases.push_back(put_fails("infinity in the source", invalid, [](auto& r) {
    (*r.mutable_source()->mutable_fields())["n"].set_number_value(HUGE_VAL);
  }));
  cases.push_back(put_fails("a source value of no JSON kind", invalid,
                            [](auto& r) { (*r.mutable_source()->mutable_fields())["nothing"]; }));
}

void add_list_cases(std::vector<hostile_case>& cases) {
  const auto invalid = errc::invalid_argument;
  const auto listed = hostile_expect::listed;
  auto everything = [](uint32_t limit) {
    return [limit](const hostile_context&) { return list_request(v1::Scope{}, limit); };
  };
  cases.push_back(list_case("list with limit 0", listed, errc::internal, everything(0)));
  cases.push_back(list_case("list with a limit over the maximum", listed, errc::internal,
                            everything(limits{}.max_list_limit + 1)));
  cases.push_back(list_case("list with the largest limit", listed, errc::internal,
                            everything(std::numeric_limits<uint32_t>::max())));
  auto with_token = [](std::string token) {
    return [token = std::move(token)](const hostile_context&) {
      return list_request(v1::Scope{}, 0, token);
    };
  };
  cases.push_back(
      list_case("garbage page token", hostile_expect::fails, invalid, with_token("garbage")));
  cases.push_back(
      list_case("page token of odd length", hostile_expect::fails, invalid, with_token("abc")));
  cases.push_back(list_case("page token that is hex but no cursor", hostile_expect::fails, invalid,
                            with_token("ffff")));
  cases.push_back(list_case("1 MiB page token", hostile_expect::fails, invalid,
                            with_token(std::string(one_mib, '0'))));
  cases.push_back(list_case("page token with invalid UTF-8", hostile_expect::fails, invalid,
                            with_token("\xff\xfe")));
  {
    // A well-formed cursor no store could have issued.
    v1::ListCursor cursor;
    cursor.mutable_scope()->set_tenant(std::string("hostile\0", 8));
    const std::string encoded = cursor.SerializeAsString();
    std::string token;
    for (unsigned char c : encoded) {
      constexpr char hex[] = "0123456789abcdef";
      token += hex[c >> 4];
      token += hex[c & 0x0f];
    }
    cases.push_back(list_case("page token of a cursor with a NUL byte", hostile_expect::fails,
                              invalid, with_token(token)));
  }
  cases.push_back(list_case("page token from another tenant's listing", listed, errc::internal,
                            [](const hostile_context& context) {
                              return list_request(make_scope(neighbour_scope().tenant(), "", ""), 0,
                                                  context.foreign_page_token);
                            }));
  cases.push_back(
      list_case("whitespace-only tenant in a list filter", listed, errc::internal,
                [](const hostile_context&) { return list_request(make_scope(" ", "", "")); }));
}

void add_key_cases(std::vector<hostile_case>& cases) {
  cases.push_back(key_absent("get with an empty id", hostile_op::get, attacker_key("")));
  cases.push_back(key_absent("exists with an id without namespace separator", hostile_op::exists,
                             attacker_key("000000000000")));
  cases.push_back(key_absent("get_ref with the id _", hostile_op::get_ref, attacker_key("_")));
  cases.push_back(key_absent("delete with an empty id in the canary's scope", hostile_op::remove,
                             [](const hostile_context&) { return make_key(canary_scope(), ""); }));
  cases.push_back(key_absent("delete of the canary's digest without its namespace",
                             hostile_op::remove, [](const hostile_context& context) {
                               return make_key(canary_scope(),
                                               context.canary.sha256().substr(0, 12));
                             }));
  cases.push_back(
      key_absent("delete with the canary's namespace as id", hostile_op::remove,
                 [](const hostile_context&) { return make_key(canary_scope(), "canary"); }));
  cases.push_back(key_absent("the canary's digest under another namespace", hostile_op::get,
                             [](const hostile_context& context) {
                               return make_key(canary_scope(),
                                               "default_" + context.canary.sha256().substr(0, 12));
                             }));
  cases.push_back(
      key_absent("id of the longest possible length", hostile_op::get,
                 attacker_key(std::string(longest_id - 13, 'n') + "_" + std::string(12, '0'))));
  cases.push_back(key_fails("id one byte over the longest possible", hostile_op::get_ref,
                            errc::invalid_argument,
                            attacker_key(std::string(longest_id + 1, 'i'))));
  cases.push_back(key_fails(
      "1 MiB id in a delete of the canary's scope", hostile_op::remove, errc::invalid_argument,
      [](const hostile_context&) { return make_key(canary_scope(), std::string(one_mib, 'i')); }));
}

void add_range_cases(std::vector<hostile_case>& cases) {
  auto canary = [](const hostile_context& context) { return make_key(context.canary); };
  cases.push_back(range_case("get_range of the canary from a negative offset",
                             hostile_expect::fails, errc::invalid_argument, -1, std::nullopt,
                             canary));
  cases.push_back(range_case("get_range of the canary from the most negative offset",
                             hostile_expect::fails, errc::invalid_argument,
                             std::numeric_limits<int64_t>::min(), 10, canary));
  cases.push_back(range_case("get_range of the canary with a negative length",
                             hostile_expect::fails, errc::invalid_argument, 0, -1, canary));
  cases.push_back(range_case("get_range with SQL in the key id", hostile_expect::absent,
                             errc::internal, 0, std::nullopt, attacker_key("default_' OR 1=1 --")));
  cases.push_back(range_case("get_range of key id ../../etc/passwd", hostile_expect::absent,
                             errc::internal, 4, 4, attacker_key("../../etc/passwd")));
  cases.push_back(range_case("get_range with an empty tenant", hostile_expect::fails,
                             errc::identity_required, 0, 1, [](const hostile_context& context) {
                               auto key = make_key(context.canary);
                               key.mutable_scope()->set_tenant("");
                               return key;
                             }));
  cases.push_back(range_case(
      "1 MiB id in a get_range", hostile_expect::fails, errc::invalid_argument, 0, std::nullopt,
      [](const hostile_context&) { return make_key(canary_scope(), std::string(one_mib, 'i')); }));
}

// Uploads: whatever an attacker sends as an upload id names no upload or
// is refused, and a begin is checked as a put is.
void add_upload_cases(std::vector<hostile_case>& cases) {
  const auto invalid = errc::invalid_argument;
  const auto missing = errc::upload_not_found;
  const std::string unknown(32, 'a');  // the form of an id, naming no upload
  cases.push_back(begin_fails("begin_upload whose metadata carries data", invalid,
                              [](auto& r) { r.set_data("bytes belong in chunks"); }));
  cases.push_back(begin_fails("begin_upload with an empty session", errc::identity_required,
                              [](auto& r) { r.mutable_scope()->set_session(""); }));
  cases.push_back(begin_fails("begin_upload with a NUL byte in the user", invalid, [](auto& r) {
    r.mutable_scope()->set_user(std::string("mal\0lory", 8));
  }));
  cases.push_back(begin_fails("begin_upload with a 1 MiB filename", invalid,
                              [](auto& r) { r.set_filename(std::string(one_mib, 'f')); }));
  cases.push_back(begin_fails("begin_upload expecting a malformed sha256", invalid,
                              [](auto& r) { r.set_sha256("' OR 1=1 --"); }));
  cases.push_back(upload_fails("append to an upload id of SQL", hostile_op::append, missing,
                               "'; DROP TABLE artifacts_uploads; --"));
  cases.push_back(upload_fails("append to upload id ../../etc/passwd", hostile_op::append, missing,
                               "../../etc/passwd"));
  cases.push_back(upload_fails("append to an upload id with a NUL byte", hostile_op::append,
                               invalid, std::string("aaaa\0aaaa", 9)));
  cases.push_back(upload_fails("append to a 1 MiB upload id", hostile_op::append, invalid,
                               std::string(one_mib, 'a')));
  cases.push_back(
      upload_fails("append at the most negative offset", hostile_op::append, invalid, unknown,
                   [](hostile_request& r) { r.offset = std::numeric_limits<int64_t>::min(); }));
  cases.push_back(upload_fails("upload_status of an id of invalid UTF-8", hostile_op::upload_status,
                               invalid, "aa\xff\xfe"));
  cases.push_back(upload_fails("upload_status of an id of 64 hex", hostile_op::upload_status,
                               missing, std::string(64, 'b')));
  cases.push_back(upload_fails("commit expecting a malformed sha256", hostile_op::commit_upload,
                               invalid, unknown,
                               [](hostile_request& r) { r.sha256 = std::string(64, 'Z'); }));
  cases.push_back(upload_fails("commit of an upload nobody began", hostile_op::commit_upload,
                               missing, unknown));
}

// ---------------------------------------------------------------------------
// Running.

std::string clip(std::string text, size_t most = 160) {
  if (text.size() > most) {
    const auto cut = text.size() - most;
    text.resize(most);
    text += "... (" + std::to_string(cut) + " more bytes)";
  }
  return text;
}

std::string brief(const google::protobuf::Message& message) {
  return clip(message.ShortDebugString(), 240);
}

bool same(const google::protobuf::Message& a, const google::protobuf::Message& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

bool matches(const v1::Scope& filter, const v1::ArtifactRef& ref) {
  auto field = [](const std::string& wanted, const std::string& value) {
    return wanted.empty() || wanted == value;
  };
  return field(filter.tenant(), ref.scope().tenant()) && field(filter.user(), ref.scope().user()) &&
         field(filter.session(), ref.scope().session()) && field(filter.task(), ref.scope().task());
}

// What went wrong in one case; empty when it passed.
using problems = std::vector<std::string>;

template <class T>
std::string failure_of(const caf::expected<T>& result) {
  return describe(result.error());
}

// Every ref matching `filter`, page by page; nullopt (and a problem) on an
// error or a listing that never ends.
std::optional<std::vector<v1::ArtifactRef>> list_every(client& store, const v1::Scope& filter,
                                                       problems& found) {
  std::vector<v1::ArtifactRef> refs;
  std::string token;
  for (int page = 0; page < 10000; ++page) {
    auto listed = store.list(list_request(filter, 0, token));
    if (!listed) {
      found.push_back("listing " + brief(filter) + " failed: " + failure_of(listed));
      return std::nullopt;
    }
    for (const auto& ref : listed->refs()) {
      refs.push_back(ref);
    }
    if (listed->next_page_token().empty()) {
      return refs;
    }
    token = listed->next_page_token();
  }
  found.push_back("listing " + brief(filter) + " did not end");
  return std::nullopt;
}

// The request's outcome: no error and a summary of the value, or the error.
struct performed {
  caf::error error;
  std::string value;
  std::optional<v1::ArtifactRef> ref;
  std::optional<v1::Blob> blob;
  std::optional<v1::RefResult> ref_result;
  std::optional<bool> flag;
  std::optional<v1::RefList> listing;
  std::optional<v1::BlobRange> range;
  std::optional<v1::UploadStatus> status;
};

template <class T>
performed take(caf::expected<T>&& result, std::optional<T> performed::*slot) {
  performed out;
  if (!result) {
    out.error = result.error();
    return out;
  }
  if constexpr (std::is_same_v<T, bool>) {
    out.value = *result ? "true" : "false";
  } else {
    out.value = brief(*result);
  }
  out.*slot = std::move(*result);
  return out;
}

performed perform(client& store, hostile_request&& request) {
  switch (request.op) {
    case hostile_op::put:
      return take(store.put(std::move(request.put)), &performed::ref);
    case hostile_op::put_text:
      return take(store.put_text(std::move(request.put)), &performed::ref);
    case hostile_op::get:
      return take(store.get(request.key), &performed::blob);
    case hostile_op::get_ref:
      return take(store.get_ref(request.key), &performed::ref_result);
    case hostile_op::exists:
      return take(store.exists(request.key), &performed::flag);
    case hostile_op::remove:
      return take(store.remove(request.key), &performed::flag);
    case hostile_op::list:
      return take(store.list(request.list), &performed::listing);
    case hostile_op::get_range:
      return take(store.get_range(request.key, request.offset, request.length), &performed::range);
    case hostile_op::begin_upload:
      return take(store.begin_upload(std::move(request.put)), &performed::status);
    case hostile_op::append:
      return take(store.append(request.upload_id, request.offset, std::move(request.data)),
                  &performed::status);
    case hostile_op::upload_status:
      return take(store.upload_status(request.upload_id), &performed::status);
    case hostile_op::commit_upload:
      return take(store.commit_upload(request.upload_id, request.sha256), &performed::ref);
  }
  throw std::logic_error("hostile_op out of range");
}

// The artifacts stored before the table, with their bytes.
struct baseline_artifact {
  v1::ArtifactRef ref;
  std::string bytes;
};

struct table_state {
  hostile_context context;
  std::vector<baseline_artifact> artifacts;
  std::vector<v1::ArtifactRef> everything;
  std::string outside;
};

void check_stored_literally(client& store, const v1::PutRequest& request, bool text,
                            const table_state& state, const performed& done, problems& found) {
  if (done.error || !done.ref) {
    found.push_back("expected the put to succeed, got " + describe(done.error));
    return;
  }
  const auto& ref = *done.ref;
  const auto digest = sha256_hex(request.data());
  const auto ns = std::string(effective_namespace(request.namespace_()));
  const auto mime = !request.mime_type().empty()
                        ? request.mime_type()
                        : std::string(text ? default_text_mime_type : default_mime_type);
  auto expect = [&](bool ok, const std::string& what) {
    if (!ok) {
      found.push_back(what + " (ref: " + brief(ref) + ")");
    }
  };
  expect(same(ref.scope(), request.scope()), "the ref's scope is not the one given");
  expect(ref.namespace_() == ns, "the ref's namespace is not the one given");
  expect(ref.id() == standard_artifact_id(ns, digest), "the ref's id is not {namespace}_{12 hex}");
  expect(ref.filename() == request.filename(), "the ref's filename is not the one given");
  expect(ref.mime_type() == mime, "the ref's mime type is not the one given");
  expect(ref.sha256() == digest, "the ref's sha256 is not the digest of the bytes");
  expect(ref.size_bytes() == static_cast<int64_t>(request.data().size()),
         "the ref's size is not the payload's");
  expect(ref.has_source() == request.has_source() &&
             (!request.has_source() || same(ref.source(), request.source())),
         "the ref's source is not the one given");

  const auto key = make_key(ref.scope(), ref.id());
  auto blob = store.get(key);
  if (!blob) {
    found.push_back("get of the stored artifact failed: " + failure_of(blob));
  } else {
    expect(blob->found() && blob->data() == request.data(),
           "get does not return the bytes that were put");
  }
  auto got = store.get_ref(key);
  if (!got) {
    found.push_back("get_ref of the stored artifact failed: " + failure_of(got));
  } else {
    expect(got->found() && same(got->ref(), ref),
           "get_ref does not return the ref put returned: " + brief(*got));
  }
  auto exists = store.exists(key);
  expect(exists && *exists, "exists does not see the stored artifact");
  if (auto own = list_every(store, ref.scope(), found)) {
    size_t seen = 0;
    for (const auto& listed : *own) {
      seen += same(listed, ref) ? 1 : 0;
      expect(matches(ref.scope(), listed), "a listing of the scope shows " + brief(listed));
    }
    expect(seen == 1, "a listing of the ref's scope shows it " + std::to_string(seen) + " times");
  }
  if (auto all = list_every(store, v1::Scope{}, found)) {
    bool grown_by_one = all->size() == state.everything.size() + 1;
    for (const auto& before : state.everything) {
      bool still = false;
      for (const auto& now : *all) {
        still = still || same(now, before);
      }
      grown_by_one = grown_by_one && still;
    }
    expect(grown_by_one, "the store holds more than the earlier artifacts and this one");
  }
  v1::PutRequest again = request;
  again.set_text(text);
  auto reput = store.put(again);
  expect(reput && same(*reput, ref), "a re-put does not return the stored ref unchanged");

  // Back to the state before the case, through the same hostile fields.
  auto removed = store.remove(key);
  expect(removed && *removed, "delete of the stored artifact does not answer true");
  auto gone = store.get(key);
  expect(gone && !gone->found(), "get still finds the artifact after its delete");
}

void check_absent(const performed& done, problems& found) {
  if (done.error) {
    found.push_back("expected a not-found answer, got " + describe(done.error));
    return;
  }
  bool absent = (done.blob && !done.blob->found() && done.blob->data().empty()) ||
                (done.range && !done.range->found() && done.range->data().empty()) ||
                (done.ref_result && !done.ref_result->found()) || (done.flag && !*done.flag);
  if (!absent) {
    found.push_back("expected a not-found answer, got " + done.value);
  }
}

void check_listed(const v1::ListRequest& request, const table_state& state, const performed& done,
                  problems& found) {
  if (done.error || !done.listing) {
    found.push_back("expected the listing to succeed, got " + describe(done.error));
    return;
  }
  std::vector<v1::ArtifactRef> matching;
  for (const auto& ref : state.everything) {
    if (matches(request.filter(), ref)) {
      matching.push_back(ref);
    }
  }
  const auto& page = done.listing->refs();
  for (const auto& ref : page) {
    bool known = false;
    for (const auto& candidate : matching) {
      known = known || same(candidate, ref);
    }
    if (!known) {
      found.push_back("the listing shows a ref outside its filter: " + brief(ref));
    }
  }
  if (request.page_token().empty()) {
    bool whole =
        page.size() == static_cast<int>(matching.size()) && done.listing->next_page_token().empty();
    for (int i = 0; whole && i < page.size(); ++i) {
      whole = same(page[i], matching[static_cast<size_t>(i)]);
    }
    if (!whole) {
      found.push_back("the listing is not every matching ref in order in one page: " +
                      std::to_string(page.size()) + " refs for " + std::to_string(matching.size()) +
                      " matching");
    }
  }
}

// The check after every case: nothing else changed.
void check_unchanged(client& store, const table_state& state, const outside_view& outside,
                     problems& found) {
  if (auto now = list_every(store, v1::Scope{}, found)) {
    bool unchanged = now->size() == state.everything.size();
    for (size_t i = 0; unchanged && i < now->size(); ++i) {
      unchanged = same((*now)[i], state.everything[i]);
    }
    if (!unchanged) {
      std::ostringstream shown;
      shown << "the store's contents changed: " << now->size() << " refs instead of "
            << state.everything.size();
      for (const auto& ref : *now) {
        shown << "; " << brief(ref);
      }
      found.push_back(clip(shown.str(), 2000));
    }
  }
  for (const auto& artifact : state.artifacts) {
    const auto key = make_key(artifact.ref.scope(), artifact.ref.id());
    auto blob = store.get(key);
    if (!blob || !blob->found() || blob->data() != artifact.bytes) {
      found.push_back("the bytes of " + artifact.ref.id() + " changed or are gone");
    }
    auto got = store.get_ref(key);
    if (!got || !got->found() || !same(got->ref(), artifact.ref)) {
      found.push_back("the ref of " + artifact.ref.id() + " changed or is gone");
    }
  }
  if (outside) {
    auto now = outside();
    if (now != state.outside) {
      found.push_back("something changed outside the store: was [" + clip(state.outside, 500) +
                      "], is [" + clip(now, 500) + "]");
    }
  }
}

// Deletes whatever a failed case left in the store, so that the cases after
// it are judged on their own. Best effort: what cannot be deleted stays
// and shows in their checks too.
void remove_leftovers(client& store, const table_state& state) {
  problems ignored;
  auto now = list_every(store, v1::Scope{}, ignored);
  if (!now) {
    return;
  }
  for (const auto& ref : *now) {
    bool known = false;
    for (const auto& before : state.everything) {
      known = known || same(before, ref);
    }
    if (!known) {
      (void)store.remove(make_key(ref.scope(), ref.id()));
    }
  }
}

problems run_case(client& store, const hostile_case& entry, const table_state& state,
                  const outside_view& outside) {
  problems found;
  auto request = entry.request(state.context);
  // What the checks need after the request was handed over.
  const auto op = request.op;
  const v1::PutRequest put_copy =
      entry.expect == hostile_expect::stored_literally ? request.put : v1::PutRequest{};
  const v1::ListRequest list_copy = request.list;
  auto done = perform(store, std::move(request));
  switch (entry.expect) {
    case hostile_expect::fails:
      if (!done.error) {
        found.push_back(std::string("expected ") + to_string(entry.code) +
                        ", got success: " + done.value);
      } else if (code_of(done.error) != entry.code) {
        found.push_back(std::string("expected ") + to_string(entry.code) + ", got " +
                        clip(describe(done.error), 400));
      }
      break;
    case hostile_expect::stored_literally:
      if (op != hostile_op::put && op != hostile_op::put_text) {
        found.push_back("a stored_literally case must be a put");
        break;
      }
      check_stored_literally(store, put_copy, op == hostile_op::put_text, state, done, found);
      break;
    case hostile_expect::absent:
      check_absent(done, found);
      break;
    case hostile_expect::listed:
      check_listed(list_copy, state, done, found);
      break;
  }
  check_unchanged(store, state, outside, found);
  if (!found.empty()) {
    remove_leftovers(store, state);
  }
  return found;
}

// Stores what the cases point at; nullopt (and a problem) when it fails.
std::optional<table_state> prepare(client& store, const outside_view& outside, problems& found) {
  table_state state;
  auto put = [&](v1::PutRequest request) -> std::optional<v1::ArtifactRef> {
    auto bytes = request.data();
    auto ref = store.put(std::move(request));
    if (!ref) {
      found.push_back("storing the table's artifacts failed: " + failure_of(ref));
      return std::nullopt;
    }
    state.artifacts.push_back({*ref, bytes});
    return *ref;
  };
  v1::PutRequest canary;
  *canary.mutable_scope() = canary_scope();
  canary.set_data(canary_bytes);
  canary.set_namespace_("canary");
  canary.set_mime_type("text/plain");
  canary.set_filename("canary.txt");
  set_source_string(canary, "role", "canary");
  auto canary_ref = put(canary);
  v1::PutRequest second;
  *second.mutable_scope() = canary_scope();
  second.set_data("a second artifact of the canary's scope" + std::string("\0\xff", 2));
  v1::PutRequest victim;
  *victim.mutable_scope() = canary_scope();
  victim.set_data("the collision victim");
  victim.set_namespace_("collide");
  v1::PutRequest neighbour;
  *neighbour.mutable_scope() = neighbour_scope();
  neighbour.set_data(neighbour_bytes);
  auto second_ref = put(second);
  auto victim_ref = put(victim);
  auto neighbour_ref = put(neighbour);
  if (!canary_ref || !second_ref || !victim_ref || !neighbour_ref) {
    return std::nullopt;
  }
  if (victim_ref->id() != "collide_000000000000") {
    found.push_back("the store does not use the table's id rule: the victim is " +
                    victim_ref->id());
    return std::nullopt;
  }
  state.context.canary = *canary_ref;
  state.context.collision_victim = *victim_ref;
  auto first_page = store.list(list_request(make_scope(canary_scope().tenant(), "", ""), 1));
  if (!first_page || first_page->next_page_token().empty()) {
    found.push_back("listing the canary's tenant one ref at a time gave no page token");
    return std::nullopt;
  }
  state.context.foreign_page_token = first_page->next_page_token();
  auto everything = list_every(store, v1::Scope{}, found);
  if (!everything) {
    return std::nullopt;
  }
  state.everything = std::move(*everything);
  if (outside) {
    state.outside = outside();
  }
  return state;
}

// Runs `work` on a thread with a stack of `bytes` and waits for it; rethrows
// what it throws.
void run_with_stack(size_t bytes, const std::function<void()>& work) {
  struct call {
    const std::function<void()>* work;
    std::exception_ptr error;
  } job{&work, nullptr};
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) {
    throw std::runtime_error("pthread_attr_init failed");
  }
  pthread_attr_setstacksize(&attr, bytes);
  pthread_t thread;
  auto body = [](void* arg) -> void* {
    auto* job = static_cast<call*>(arg);
    try {
      (*job->work)();
    } catch (...) {
      job->error = std::current_exception();
    }
    return nullptr;
  };
  const int created = pthread_create(&thread, &attr, body, &job);
  pthread_attr_destroy(&attr);
  if (created != 0) {
    throw std::runtime_error("pthread_create failed");
  }
  pthread_join(thread, nullptr);
  if (job.error) {
    std::rethrow_exception(job.error);
  }
}

struct case_outcome {
  std::string name;
  problems found;
};

// Runs one registered combination.
class hostile_invoker final : public Catch::ITestInvoker {
 public:
  hostile_invoker(std::string label, std::function<hostile_target()> make_target)
      : label_(std::move(label)), make_target_(std::move(make_target)) {}

  void invoke() const override { run_hostile_cases(label_, make_target_()); }

 private:
  std::string label_;
  std::function<hostile_target()> make_target_;
};

}  // namespace

v1::Scope canary_scope() {
  return make_scope("hostile-canary", "alice", "session-1", "task-1");
}

store_config hostile_store_config() {
  store_config config;
  config.storage.limits.max_payload_bytes = payload_limit;
  config.storage.make_id = [](std::string_view ns, std::string_view sha256) {
    return ns == "collide" ? std::string("collide_000000000000") : standard_artifact_id(ns, sha256);
  };
  // A case that hangs fails on its own, well before the test's timeout.
  config.request_timeout = std::chrono::seconds(10);
  config.pool_size = 2;
  return config;
}

std::vector<hostile_case> hostile_cases() {
  std::vector<hostile_case> cases;
  add_identity_cases(cases);
  add_malformed_string_cases(cases);
  add_length_cases(cases);
  add_sql_cases(cases);
  add_path_cases(cases);
  add_isolation_cases(cases);
  add_payload_cases(cases);
  add_digest_cases(cases);
  add_collision_cases(cases);
  add_source_cases(cases);
  add_list_cases(cases);
  add_key_cases(cases);
  add_range_cases(cases);
  add_upload_cases(cases);
  return cases;
}

void run_hostile_cases(const std::string& label, const hostile_target& target) {
  const auto cases = hostile_cases();
  auto fixture = target.make(hostile_store_config());
  std::vector<case_outcome> outcomes;
  problems setup;
  run_with_stack(table_stack_bytes, [&] {
    auto& store = fixture->client();
    auto state = prepare(store, target.outside, setup);
    if (!state) {
      return;
    }
    for (const auto& entry : cases) {
      case_outcome outcome{entry.name, {}};
      try {
        outcome.found = run_case(store, entry, *state, target.outside);
      } catch (const std::exception& e) {
        outcome.found.push_back(std::string("the case threw: ") + e.what());
      }
      // A change outside the store cannot be undone here; later cases are
      // judged against what is there now.
      if (!outcome.found.empty() && target.outside) {
        state->outside = target.outside();
      }
      outcomes.push_back(std::move(outcome));
    }
  });
  for (const auto& problem : setup) {
    FAIL_CHECK(label << ": " << problem);
  }
  REQUIRE(setup.empty());

  size_t passed = 0;
  for (const auto& outcome : outcomes) {
    if (outcome.found.empty()) {
      ++passed;
      continue;
    }
    INFO("case: " << outcome.name);
    std::string what;
    for (const auto& problem : outcome.found) {
      what += "\n  - " + problem;
    }
    FAIL_CHECK(label << ": case \"" << outcome.name << "\" failed:" << what);
  }
  std::cout << label << ": " << passed << " of " << outcomes.size() << " cases passed" << std::endl;
  CHECK(outcomes.size() == cases.size());
  CHECK(passed == cases.size());

  const auto left = fixture->close_and_release();
  CHECK(left.actors == 0);
  CHECK(left.threads == 0);
}

bool register_hostile_suite(const std::string& combination,
                            std::function<hostile_target()> make_target) {
  const std::string name = "hostile inputs: " + combination;
  Catch::AutoReg registration{
      new hostile_invoker(combination, std::move(make_target)),
      Catch::SourceLineInfo(__FILE__, __LINE__), Catch::StringRef(),
      Catch::NameAndTags(Catch::StringRef(name), Catch::StringRef("[hostile]"))};
  (void)registration;
  return true;
}

}  // namespace artifacts::scenarios
