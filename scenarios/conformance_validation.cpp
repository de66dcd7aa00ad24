// Caller input: identity, string checks, limits, digests, collisions, and
// what error messages say.
#include <string>
#include <vector>

#include "scenarios/scenario_catalog.hpp"

namespace artifacts::scenarios {

namespace {

using Catch::Matchers::Contains;

// The four ways an addressing scope lacks an identity.
std::vector<v1::Scope> scopes_without_identity() {
  return {
      make_scope("", "alice", "session-1", "task-1"),
      make_scope("acme", "", "session-1", "task-1"),
      make_scope("acme", "alice", "", "task-1"),
      v1::Scope{},
  };
}

// Strings no field accepts, besides over-long ones.
std::vector<std::string> malformed_strings() {
  return {
      std::string("nul\0inside", 10),  // a NUL byte
      std::string("\0", 1),            // only a NUL byte
      "\xff\xfe",                      // bytes that never occur in UTF-8
      "caf\xc3",                       // a truncated sequence
      "\xc0\xaf",                      // an overlong encoding
      "\xed\xa0\x80",                  // a UTF-16 surrogate
      "\xf4\x90\x80\x80",              // above U+10FFFF
  };
}

void identity_required_for_put(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  for (const auto& scope : scopes_without_identity()) {
    INFO("scope = " << scope.ShortDebugString());
    CHECK_ERROR(c.put(put_request(scope, "bytes without an owner")), errc::identity_required);
    CHECK_ERROR(c.put_text(put_request(scope, "text without an owner")), errc::identity_required);
  }
  CHECK(list_all(c, v1::Scope{}).empty());

  // The task may be empty: a session-scoped artifact.
  const auto session_scope = make_scope("acme", "alice", "session-1");
  auto ref = REQUIRE_VALUE(c.put(put_request(session_scope, "session-scoped bytes")));
  CHECK(ref.scope().task().empty());
  auto text = REQUIRE_VALUE(c.put_text(put_request(session_scope, "session-scoped text")));
  CHECK(text.scope().task().empty());
  CHECK(REQUIRE_VALUE(c.get(make_key(session_scope, ref.id()))).found());
}

void identity_required_to_address(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  const auto owner = make_scope("acme", "alice", "session-1", "task-1");
  auto ref = REQUIRE_VALUE(c.put(put_request(owner, "addressed bytes")));
  for (const auto& scope : scopes_without_identity()) {
    INFO("scope = " << scope.ShortDebugString());
    const auto key = make_key(scope, ref.id());
    CHECK_ERROR(c.get(key), errc::identity_required);
    CHECK_ERROR(c.get_ref(key), errc::identity_required);
    CHECK_ERROR(c.exists(key), errc::identity_required);
    CHECK_ERROR(c.remove(key), errc::identity_required);
  }
  // Nothing was deleted by the rejected calls.
  CHECK(REQUIRE_VALUE(c.exists(make_key(owner, ref.id()))));
}

void invalid_strings_rejected(const store_factory& make) {
  const limits bounds{};
  auto store = make({});
  auto& c = store->client();
  const auto good_scope = make_scope("acme", "alice", "session-1", "task-1");
  const std::string data = "bytes that must not be stored";

  struct put_field {
    const char* name;
    size_t max_bytes;
    void (*set)(v1::PutRequest&, const std::string&);
  };
  const put_field put_fields[] = {
      {"tenant", bounds.max_identity_bytes,
       [](v1::PutRequest& r, const std::string& v) { r.mutable_scope()->set_tenant(v); }},
      {"user", bounds.max_identity_bytes,
       [](v1::PutRequest& r, const std::string& v) { r.mutable_scope()->set_user(v); }},
      {"session", bounds.max_identity_bytes,
       [](v1::PutRequest& r, const std::string& v) { r.mutable_scope()->set_session(v); }},
      {"task", bounds.max_identity_bytes,
       [](v1::PutRequest& r, const std::string& v) { r.mutable_scope()->set_task(v); }},
      {"namespace", bounds.max_namespace_bytes,
       [](v1::PutRequest& r, const std::string& v) { r.set_namespace_(v); }},
      {"mime_type", bounds.max_mime_type_bytes,
       [](v1::PutRequest& r, const std::string& v) { r.set_mime_type(v); }},
      {"filename", bounds.max_filename_bytes,
       [](v1::PutRequest& r, const std::string& v) { r.set_filename(v); }},
  };
  for (const auto& field : put_fields) {
    auto values = malformed_strings();
    values.push_back(std::string(field.max_bytes + 1, 'x'));
    for (const auto& value : values) {
      INFO("field = " << field.name << ", value of " << value.size() << " bytes");
      auto request = put_request(good_scope, data);
      field.set(request, value);
      CHECK_ERROR(c.put(request), errc::invalid_argument);
      CHECK_ERROR(c.put_text(request), errc::invalid_argument);
    }
  }

  // The scope fields of a key and of a list filter (the first four above).
  for (size_t f = 0; f < 4; ++f) {
    const auto& field = put_fields[f];
    auto values = malformed_strings();
    values.push_back(std::string(field.max_bytes + 1, 'x'));
    for (const auto& value : values) {
      INFO("field = " << field.name << ", value of " << value.size() << " bytes");
      auto carrier = put_request(good_scope, data);
      field.set(carrier, value);
      const auto key = make_key(carrier.scope(), "default_" + sha256_of(data).substr(0, 12));
      CHECK_ERROR(c.get(key), errc::invalid_argument);
      CHECK_ERROR(c.get_ref(key), errc::invalid_argument);
      CHECK_ERROR(c.exists(key), errc::invalid_argument);
      CHECK_ERROR(c.remove(key), errc::invalid_argument);
      CHECK_ERROR(c.list(list_request(carrier.scope())), errc::invalid_argument);
    }
  }

  // The id of a key.
  auto ids = malformed_strings();
  ids.push_back("default_" + std::string(4096, 'a'));
  for (const auto& id : ids) {
    INFO("id of " << id.size() << " bytes");
    const auto key = make_key(good_scope, id);
    CHECK_ERROR(c.get(key), errc::invalid_argument);
    CHECK_ERROR(c.get_ref(key), errc::invalid_argument);
    CHECK_ERROR(c.exists(key), errc::invalid_argument);
    CHECK_ERROR(c.remove(key), errc::invalid_argument);
  }

  CHECK(list_all(c, v1::Scope{}).empty());
}

void strings_at_their_limits_accepted(const store_factory& make) {
  const limits bounds{};
  auto store = make({});
  auto& c = store->client();
  // Multi-byte characters count in bytes: "é" is two.
  auto fill = [](size_t bytes) {
    std::string out;
    while (out.size() + 2 <= bytes) {
      out += "é";
    }
    out.append(bytes - out.size(), 'x');
    return out;
  };
  const auto scope = make_scope(fill(bounds.max_identity_bytes), fill(bounds.max_identity_bytes),
                                fill(bounds.max_identity_bytes), fill(bounds.max_identity_bytes));
  auto request = put_request(scope, "bytes with long metadata", fill(bounds.max_namespace_bytes));
  request.set_mime_type(fill(bounds.max_mime_type_bytes));
  request.set_filename(fill(bounds.max_filename_bytes));
  auto ref = REQUIRE_VALUE(c.put(request));
  CHECK_SAME(ref.scope(), scope);
  CHECK(ref.namespace_() == request.namespace_());
  CHECK(ref.mime_type() == request.mime_type());
  CHECK(ref.filename() == request.filename());
  auto stored = REQUIRE_VALUE(c.get_ref(make_key(scope, ref.id())));
  CHECK(stored.found());
  CHECK_SAME(stored.ref(), ref);
  auto listed = list_all(c, scope);
  REQUIRE(listed.size() == 1);
  CHECK_SAME(listed[0], ref);
}

void source_over_limit_rejected(const store_factory& make) {
  store_config tweaks;
  tweaks.storage.limits.max_source_json_bytes = 256;
  auto store = make(tweaks);
  auto& c = store->client();
  const auto scope = make_scope("acme", "alice", "session-1");
  auto request = put_request(scope, "bytes with a large source");
  (*request.mutable_source()->mutable_fields())["blob"].set_string_value(std::string(512, 'x'));
  CHECK_ERROR(c.put(request), errc::invalid_argument);
  CHECK(list_all(c, v1::Scope{}).empty());
}

void payload_over_limit_too_large(const store_factory& make) {
  store_config tweaks;
  tweaks.storage.limits.max_payload_bytes = 1024;
  auto store = make(tweaks);
  auto& c = store->client();
  const auto scope = make_scope("acme", "alice", "session-1");
  CHECK_ERROR(c.put(put_request(scope, std::string(1025, 'x'))), errc::too_large);
  CHECK_ERROR(c.put_text(put_request(scope, std::string(1025, 't'))), errc::too_large);
  CHECK_ERROR(c.put(put_request(scope, std::string(64 * 1024, 'y'))), errc::too_large);
  CHECK(list_all(c, v1::Scope{}).empty());

  // Exactly at the limit is fine.
  const std::string at_limit(1024, 'z');
  auto ref = REQUIRE_VALUE(c.put(put_request(scope, at_limit)));
  CHECK(ref.size_bytes() == 1024);
  CHECK(REQUIRE_VALUE(c.get(make_key(scope, ref.id()))).data() == at_limit);
}

void digest_mismatch_rejected(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  const auto scope = make_scope("acme", "alice", "session-1");
  const std::string data = "the real bytes";
  const auto digest = sha256_of(data);

  for (const auto& wrong :
       std::vector<std::string>{sha256_of("other bytes"), std::string("not-a-digest"),
                                std::string(64, '0'), digest.substr(0, 63)}) {
    INFO("sha256 = " << wrong);
    auto request = put_request(scope, data);
    request.set_sha256(wrong);
    CHECK_ERROR(c.put(request), errc::invalid_argument);
    CHECK_ERROR(c.put_text(request), errc::invalid_argument);
  }
  CHECK(list_all(c, v1::Scope{}).empty());
  const auto key = make_key(scope, "default_" + digest.substr(0, 12));
  CHECK_FALSE(REQUIRE_VALUE(c.exists(key)));

  // The right digest is accepted.
  auto request = put_request(scope, data);
  request.set_sha256(digest);
  auto ref = REQUIRE_VALUE(c.put(request));
  CHECK(ref.sha256() == digest);
  CHECK(REQUIRE_VALUE(c.get(key)).data() == data);
}

void hash_collision_keeps_first(const store_factory& make) {
  store_config tweaks;
  // Every content gets the same id in a namespace: the second content collides.
  tweaks.storage.make_id = [](std::string_view ns, std::string_view) {
    return std::string(ns) + "_000000000000";
  };
  auto store = make(tweaks);
  auto& c = store->client();
  const auto scope = make_scope("acme", "alice", "session-1");
  const std::string first_data = "the first content";
  const std::string second_data = "another content";

  auto first = REQUIRE_VALUE(c.put(put_request(scope, first_data)));
  REQUIRE(first.id() == "default_000000000000");
  {
    auto collided = c.put(put_request(scope, second_data));
    CHECK_ERROR(collided, errc::hash_collision);
    if (!collided) {
      CHECK_THAT(message_of(collided.error()), Contains("put"));
    }
  }
  CHECK_ERROR(c.put_text(put_request(scope, second_data)), errc::hash_collision);

  // The first artifact is intact.
  const auto key = make_key(scope, first.id());
  auto blob = REQUIRE_VALUE(c.get(key));
  CHECK(blob.found());
  CHECK(blob.data() == first_data);
  auto stored = REQUIRE_VALUE(c.get_ref(key));
  CHECK_SAME(stored.ref(), first);
  CHECK(list_all(c, v1::Scope{}).size() == 1);

  // Re-putting the first content is still a plain dedup.
  CHECK_SAME(REQUIRE_VALUE(c.put(put_request(scope, first_data))), first);
  // The same id elsewhere is free.
  auto elsewhere = REQUIRE_VALUE(c.put(put_request(make_scope("acme", "bob", "s"), second_data)));
  CHECK(elsewhere.sha256() == sha256_of(second_data));
  auto other_ns = REQUIRE_VALUE(c.put(put_request(scope, second_data, "other")));
  CHECK(other_ns.id() == "other_000000000000");
}

void error_messages_name_the_operation(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  const auto nobody = v1::Scope{};
  const auto key = make_key(nobody, "default_000000000000");
  auto message = [](const auto& result) {
    return result ? std::string("(no error)") : message_of(result.error());
  };
  CHECK_THAT(message(c.put(put_request(nobody, "x"))), Contains("put"));
  CHECK_THAT(message(c.put_text(put_request(nobody, "x"))), Contains("put"));
  CHECK_THAT(message(c.get(key)), Contains("get"));
  CHECK_THAT(message(c.get_ref(key)), Contains("get_ref"));
  CHECK_THAT(message(c.exists(key)), Contains("exists"));
  CHECK_THAT(message(c.remove(key)), Contains("delete"));
  CHECK_THAT(message(c.list(list_request(nobody, 1, "garbage"))), Contains("list"));

  // The cause is named too, not only the operation.
  CHECK_THAT(message(c.put(put_request(make_scope("", "alice", "s"), "x"))), Contains("tenant"));
  CHECK_THAT(message(c.get(make_key(make_scope("acme", "alice", "s", std::string("t\0", 2)),
                                    "default_000000000000"))),
             Contains("task"));
}

}  // namespace

std::vector<scenario> validation_scenarios() {
  return {
      {"identity is required for put and put_text", identity_required_for_put},
      {"identity is required for get get_ref exists and delete", identity_required_to_address},
      {"NUL invalid UTF-8 and oversized strings are rejected", invalid_strings_rejected},
      {"strings at their length limits are accepted", strings_at_their_limits_accepted},
      {"a source over its limit is rejected", source_over_limit_rejected},
      {"a payload over the limit is too large", payload_over_limit_too_large},
      {"a digest that does not match the bytes is rejected", digest_mismatch_rejected},
      {"a hash collision is refused and the first artifact is kept", hash_collision_keeps_first},
      {"error messages name the operation", error_messages_name_the_operation},
  };
}

}  // namespace artifacts::scenarios
