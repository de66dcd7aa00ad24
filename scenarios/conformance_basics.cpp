// Storing and fetching: round trips, defaults, dedup, not-found, delete.
#include <cstdint>
#include <string>
#include <vector>

#include <google/protobuf/struct.pb.h>

#include "scenarios/scenario_catalog.hpp"

namespace artifacts::scenarios {

namespace {

constexpr const char* empty_sha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr const char* abc_sha256 =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

int64_t size_of(const std::string& bytes) {
  return static_cast<int64_t>(bytes.size());
}

bool is_lower_hex(const std::string& text) {
  return text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

google::protobuf::Struct sample_source() {
  google::protobuf::Struct source;
  auto& fields = *source.mutable_fields();
  fields["tool"].set_string_value("web_search");
  fields["hits"].set_number_value(3);
  fields["cached"].set_bool_value(false);
  fields["note"].set_string_value("naïve ☃ \"quoted\"");
  fields["nothing"].set_null_value(google::protobuf::NULL_VALUE);
  auto* tags = fields["tags"].mutable_list_value();
  tags->add_values()->set_string_value("a");
  tags->add_values()->set_number_value(2.5);
  auto& nested = *(*fields["nested"].mutable_struct_value()->mutable_fields())["depth"]
                      .mutable_struct_value()
                      ->mutable_fields();
  nested["level"].set_number_value(2);
  return source;
}

void round_trip(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  const auto scope = make_scope("acme", "alice", "session-1", "task-1");
  const std::string data = "the quick brown fox jumps over the lazy dog";
  const auto source = sample_source();

  auto request = put_request(scope, data, "docs");
  request.set_mime_type("text/markdown");
  request.set_filename("notes/fox.md");
  *request.mutable_source() = source;
  auto ref = REQUIRE_VALUE(c.put(request));

  const auto digest = sha256_of(data);
  CHECK(ref.id() == "docs_" + digest.substr(0, 12));
  CHECK(ref.sha256() == digest);
  CHECK(ref.size_bytes() == size_of(data));
  CHECK(ref.mime_type() == "text/markdown");
  CHECK(ref.filename() == "notes/fox.md");
  CHECK(ref.namespace_() == "docs");
  CHECK_SAME(ref.scope(), scope);
  REQUIRE(ref.has_source());
  CHECK_SAME(ref.source(), source);

  const auto key = make_key(scope, ref.id());
  auto blob = REQUIRE_VALUE(c.get(key));
  CHECK(blob.found());
  CHECK(blob.data() == data);
  auto stored = REQUIRE_VALUE(c.get_ref(key));
  CHECK(stored.found());
  CHECK_SAME(stored.ref(), ref);
  CHECK(REQUIRE_VALUE(c.exists(key)));

  // Defaults: namespace "default", the binary mime type, no filename, no source.
  const std::string plain_data = "plain bytes";
  auto plain = REQUIRE_VALUE(c.put(put_request(scope, plain_data)));
  const auto plain_digest = sha256_of(plain_data);
  CHECK(plain.id() == "default_" + plain_digest.substr(0, 12));
  CHECK(plain.sha256() == plain_digest);
  CHECK(plain.namespace_() == "default");
  CHECK(plain.mime_type() == "application/octet-stream");
  CHECK(plain.filename().empty());
  CHECK_FALSE(plain.has_source());
  CHECK_SAME(plain.scope(), scope);
  auto plain_stored = REQUIRE_VALUE(c.get_ref(make_key(scope, plain.id())));
  CHECK(plain_stored.found());
  CHECK_FALSE(plain_stored.ref().has_source());
  CHECK_SAME(plain_stored.ref(), plain);

  // The digest is SHA-256 itself, checked against a published test vector.
  auto abc = REQUIRE_VALUE(c.put(put_request(scope, "abc")));
  CHECK(abc.sha256() == abc_sha256);
  CHECK(abc.id() == std::string("default_") + std::string(abc_sha256).substr(0, 12));
  for (const auto* r : {&ref, &plain, &abc}) {
    CHECK(r->sha256().size() == 64);
    CHECK(is_lower_hex(r->sha256()));
  }
}

void dedup_on_identical_bytes(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  const auto scope = make_scope("acme", "alice", "session-1");
  const std::string data = "identical bytes, stored once";

  auto first_request = put_request(scope, data);
  first_request.set_mime_type("text/csv");
  first_request.set_filename("first.csv");
  (*first_request.mutable_source()->mutable_fields())["writer"].set_string_value("first");
  auto first = REQUIRE_VALUE(c.put(first_request));

  // The second writer's metadata is ignored: the first writer wins.
  auto second_request = put_request(scope, data);
  second_request.set_mime_type("application/json");
  second_request.set_filename("second.json");
  (*second_request.mutable_source()->mutable_fields())["writer"].set_string_value("second");
  auto second = REQUIRE_VALUE(c.put(second_request));
  CHECK(second.id() == first.id());
  CHECK(second.sha256() == first.sha256());
  CHECK_SAME(second, first);

  // Without any metadata too.
  auto third = REQUIRE_VALUE(c.put(put_request(scope, data)));
  CHECK_SAME(third, first);

  auto listed = list_all(c, scope);
  REQUIRE(listed.size() == 1);
  CHECK_SAME(listed[0], first);
  auto stored = REQUIRE_VALUE(c.get_ref(make_key(scope, first.id())));
  CHECK_SAME(stored.ref(), first);
}

void namespace_distinguishes(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  const auto scope = make_scope("acme", "alice", "session-1");
  const std::string data = "the same bytes in two namespaces";

  auto alpha = REQUIRE_VALUE(c.put(put_request(scope, data, "alpha")));
  auto beta = REQUIRE_VALUE(c.put(put_request(scope, data, "beta")));
  CHECK(alpha.id() != beta.id());
  CHECK(alpha.sha256() == beta.sha256());
  CHECK(alpha.namespace_() == "alpha");
  CHECK(beta.namespace_() == "beta");
  CHECK(list_all(c, scope).size() == 2);
  for (const auto* ref : {&alpha, &beta}) {
    auto blob = REQUIRE_VALUE(c.get(make_key(scope, ref->id())));
    CHECK(blob.found());
    CHECK(blob.data() == data);
  }

  // An empty namespace is the namespace "default".
  auto implicit = REQUIRE_VALUE(c.put(put_request(scope, data)));
  auto explicit_default = REQUIRE_VALUE(c.put(put_request(scope, data, "default")));
  CHECK(implicit.id() == explicit_default.id());
  CHECK(implicit.namespace_() == "default");
  CHECK(list_all(c, scope).size() == 3);

  // Deleting one namespace's artifact leaves the other's.
  CHECK(REQUIRE_VALUE(c.remove(make_key(scope, alpha.id()))));
  CHECK(REQUIRE_VALUE(c.get(make_key(scope, beta.id()))).found());
}

void scope_distinguishes(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  const std::string data = "the same bytes in five scopes";
  const auto base = make_scope("acme", "alice", "session-1");
  const v1::Scope others[] = {
      make_scope("globex", "alice", "session-1"),
      make_scope("acme", "bob", "session-1"),
      make_scope("acme", "alice", "session-2"),
      make_scope("acme", "alice", "session-1", "task-1"),
  };

  auto base_ref = REQUIRE_VALUE(c.put(put_request(base, data)));
  for (const auto& scope : others) {
    auto ref = REQUIRE_VALUE(c.put(put_request(scope, data)));
    CHECK(ref.sha256() == base_ref.sha256());
    CHECK_SAME(ref.scope(), scope);
  }
  // Each scope holds its own row (a task-less filter also matches tasks, so
  // the base scope is counted by tenant).
  for (const auto& scope : others) {
    auto listed = list_all(c, scope);
    REQUIRE(listed.size() == 1);
    CHECK_SAME(listed[0].scope(), scope);
  }
  CHECK(list_all(c, make_scope("acme", "", "")).size() == 4);
  CHECK(list_all(c, v1::Scope{}).size() == 5);

  // Deleting one leaves the others.
  CHECK(REQUIRE_VALUE(c.remove(make_key(base, base_ref.id()))));
  CHECK_FALSE(REQUIRE_VALUE(c.get(make_key(base, base_ref.id()))).found());
  for (const auto& scope : others) {
    auto blob = REQUIRE_VALUE(c.get(make_key(scope, base_ref.id())));
    CHECK(blob.found());
    CHECK(blob.data() == data);
  }
}

void put_text_stored_as_bytes(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  const auto scope = make_scope("acme", "alice", "session-1");
  const std::string text = "héllo wörld — ☃ 日本語\nsecond line\n";

  auto ref = REQUIRE_VALUE(c.put_text(put_request(scope, text)));
  CHECK(ref.mime_type() == "text/plain; charset=utf-8");
  CHECK(ref.size_bytes() == size_of(text));
  CHECK(ref.sha256() == sha256_of(text));
  CHECK(ref.id() == "default_" + sha256_of(text).substr(0, 12));
  auto blob = REQUIRE_VALUE(c.get(make_key(scope, ref.id())));
  CHECK(blob.found());
  CHECK(blob.data() == text);

  // An explicit mime type wins over the text default.
  auto markdown_request = put_request(scope, "# title\n", "docs");
  markdown_request.set_mime_type("text/markdown");
  auto markdown = REQUIRE_VALUE(c.put_text(markdown_request));
  CHECK(markdown.mime_type() == "text/markdown");
  auto stored = REQUIRE_VALUE(c.get_ref(make_key(scope, markdown.id())));
  CHECK(stored.ref().mime_type() == "text/markdown");
}

void not_found_is_not_an_error(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  const auto scope = make_scope("acme", "alice", "session-1");
  REQUIRE_VALUE(c.put(put_request(scope, "something else is stored")));

  const std::vector<std::string> absent_ids = {"default_000000000000",
                                               "default_" + sha256_of("absent").substr(0, 12),
                                               "no-underscore", "other_0123456789ab"};
  for (const auto& id : absent_ids) {
    INFO("id = " << id);
    auto blob = REQUIRE_VALUE(c.get(make_key(scope, id)));
    CHECK_FALSE(blob.found());
    CHECK(blob.data().empty());
    auto ref = REQUIRE_VALUE(c.get_ref(make_key(scope, id)));
    CHECK_FALSE(ref.found());
    CHECK(ref.ref().id().empty());
    CHECK_FALSE(REQUIRE_VALUE(c.exists(make_key(scope, id))));
  }
}

void delete_is_idempotent(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  const auto scope = make_scope("acme", "alice", "session-1", "task-1");
  const std::string data = "to be deleted";
  const auto key = make_key(scope, "default_" + sha256_of(data).substr(0, 12));

  CHECK_FALSE(REQUIRE_VALUE(c.remove(key)));
  auto ref = REQUIRE_VALUE(c.put(put_request(scope, data)));
  REQUIRE(ref.id() == key.id());
  CHECK(REQUIRE_VALUE(c.remove(key)));
  CHECK_FALSE(REQUIRE_VALUE(c.remove(key)));
  CHECK_FALSE(REQUIRE_VALUE(c.get(key)).found());
  CHECK_FALSE(REQUIRE_VALUE(c.get_ref(key)).found());
  CHECK_FALSE(REQUIRE_VALUE(c.exists(key)));
  CHECK(list_all(c, scope).empty());

  // A deleted artifact can be stored again.
  auto again = REQUIRE_VALUE(c.put(put_request(scope, data)));
  CHECK(again.id() == ref.id());
  CHECK(REQUIRE_VALUE(c.get(key)).data() == data);
}

void empty_payload(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  const auto scope = make_scope("acme", "alice", "session-1");
  auto ref = REQUIRE_VALUE(c.put(put_request(scope, "")));
  CHECK(ref.sha256() == empty_sha256);
  CHECK(ref.id() == std::string("default_") + std::string(empty_sha256).substr(0, 12));
  CHECK(ref.size_bytes() == 0);
  auto blob = REQUIRE_VALUE(c.get(make_key(scope, ref.id())));
  CHECK(blob.found());
  CHECK(blob.data().empty());
  CHECK(REQUIRE_VALUE(c.exists(make_key(scope, ref.id()))));
  CHECK(list_all(c, scope).size() == 1);
}

void binary_payload(const store_factory& make) {
  auto store = make({});
  auto& c = store->client();
  const auto scope = make_scope("acme", "alice", "session-1");
  std::string data;
  for (int round = 0; round < 4; ++round) {
    for (int byte = 0; byte < 256; ++byte) {
      data.push_back(static_cast<char>(byte));
    }
  }
  data.append(3, '\0');
  data.append("\xff\xfe\x00\x80\xc0", 5);

  auto ref = REQUIRE_VALUE(c.put(put_request(scope, data)));
  CHECK(ref.size_bytes() == size_of(data));
  CHECK(ref.sha256() == sha256_of(data));
  auto blob = REQUIRE_VALUE(c.get(make_key(scope, ref.id())));
  CHECK(blob.found());
  REQUIRE(blob.data().size() == data.size());
  CHECK(blob.data() == data);
}

}  // namespace

std::vector<scenario> basic_scenarios() {
  return {
      {"round trip", round_trip},
      {"dedup on identical bytes", dedup_on_identical_bytes},
      {"namespace distinguishes", namespace_distinguishes},
      {"scope distinguishes", scope_distinguishes},
      {"put_text stored as bytes", put_text_stored_as_bytes},
      {"get and get_ref of an absent id are not errors", not_found_is_not_an_error},
      {"delete is idempotent", delete_is_idempotent},
      {"an empty payload is accepted", empty_payload},
      {"a binary payload with every byte value round-trips", binary_payload},
  };
}

}  // namespace artifacts::scenarios
