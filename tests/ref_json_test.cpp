// The JSON renderings of refs and sources: deterministic, faithful to what
// JSON can say, and readable back.
#include <string>

#include <catch2/catch.hpp>

#include <artifact_store/ref_json.hpp>

namespace {

using artifacts::ref_to_json;
using artifacts::source_from_json;
using artifacts::source_to_json;

google::protobuf::Struct parse_source(const std::string& json) {
  google::protobuf::Struct out;
  REQUIRE(source_from_json(json, &out));
  return out;
}

}  // namespace

TEST_CASE("no source renders as null and reads back as no source") {
  CHECK(source_to_json(nullptr) == "null");
  google::protobuf::Struct untouched = parse_source(R"({"kept":1})");
  CHECK(source_from_json("null", &untouched));
  CHECK(untouched.fields().count("kept") == 1);
}

TEST_CASE("a source renders with its keys sorted, whatever order they were set in") {
  google::protobuf::Struct source;
  for (const char* key : {"zeta", "alpha", "mid", "beta"}) {
    (*source.mutable_fields())[key].set_string_value(key);
  }
  CHECK(source_to_json(&source) == R"({"alpha":"alpha","beta":"beta","mid":"mid","zeta":"zeta"})");
}

TEST_CASE("text that is not a JSON object is not a source") {
  google::protobuf::Struct out;
  CHECK_FALSE(source_from_json("[1,2]", &out));
  CHECK_FALSE(source_from_json("{\"a\":", &out));
  CHECK_FALSE(source_from_json("42", &out));
}

TEST_CASE("fields unknown to the schema do not hide the values around them") {
  // A list whose wire form carries only unknown fields, one of them reusing
  // the number of ListValue.values with another wire type: JSON has no form
  // for them, but the (empty) list itself is still there.
  google::protobuf::Struct source;
  auto& args =
      (*(*source.mutable_fields())["tool"].mutable_struct_value()->mutable_fields())["args"];
  auto* list = args.mutable_list_value();
  list->GetReflection()->MutableUnknownFields(list)->AddFixed64(1, 0xffffffff00000011ULL);
  list->GetReflection()->MutableUnknownFields(list)->AddFixed64(162, 0x0a70657267041a06ULL);
  (*source.mutable_fields())["name"].set_string_value("grep");

  CHECK(source_to_json(&source) == R"({"name":"grep","tool":{"args":[]}})");

  artifacts::v1::ArtifactRef ref;
  ref.set_id("0123456789ab");
  *ref.mutable_source() = source;
  const std::string json = ref_to_json(ref);
  CHECK(json.find(R"("source":{"name":"grep","tool":{"args":[]}})") != std::string::npos);
}
