// Fuzzes what a node and a client do with the bytes a remote peer sends.
//
// Each input is one artifacts.v1 message as it sits in a remoting payload
// (see wire_input.hpp). It is decoded exactly as CAF decodes it, through the
// inspect overload of include/artifact_store/messages.hpp over a binary deserializer;
// then a request goes where a node sends it (the supervisor's routing, the
// worker's validation, the store's operations on an in-memory backend) and a
// reply goes where a client sends it (the command's JSON rendering). The
// outgoing_put kind checks the client's own guard: a request that
// check_wire_strings lets through must decode on the node.
//
// The store's operations may throw store_error and nothing else: any other
// exception escapes, and libFuzzer reports it. A broken invariant aborts.

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/message_differencer.h>

#include <artifact_store/errc.hpp>
#include <artifact_store/ref_json.hpp>

#include "actors/routing.hpp"
#include "actors/wire_strings.hpp"
#include "storage/memory_driver.hpp"
#include "storage/operations.hpp"
#include "storage/validation.hpp"
#include "tests/fuzz/invariant.hpp"
#include "tests/fuzz/wire_input.hpp"

namespace {

using namespace artifacts;
using artifacts::fuzz::require;
using artifacts::fuzz::wire_kind;

const storage_options& options() {
  static const storage_options memory = [] {
    storage_options out;
    out.dsn = "memory:";
    return out;
  }();
  return memory;
}

// A message's bytes with map entries in key order, so that two equal
// messages (NaN values included) give equal bytes.
std::string canonical_bytes(const google::protobuf::Message& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream raw{&out};
    google::protobuf::io::CodedOutputStream coded{&raw};
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

// What a worker holds: operations over one backend of a fresh in-memory
// driver that already stores fuzz::stored_artifacts(). Fresh for every input,
// so that an input means the same thing however often it runs.
struct worker_store {
  std::shared_ptr<driver> storage = make_memory_driver(options());
  operations ops{storage->open_backend(), storage->options()};

  worker_store() {
    for (const auto& request : fuzz::stored_artifacts()) {
      ops.put(request);
    }
  }
};

// Encoding a decoded message and decoding it again gives the same message:
// what a node forwards is what it received.
template <class Message>
void check_reencodes(const Message& message) {
  auto bytes = fuzz::encode_wire(message);
  auto again = fuzz::decode_wire<Message>(bytes.data(), bytes.size());
  require(again.has_value(), "a decoded message encodes to bytes that decode");
  require(canonical_bytes(*again) == canonical_bytes(message),
          "a decoded message survives encoding and decoding unchanged");
}

// A reply the command prints: protobuf's JSON mapping renders every ref.
void render(const v1::ArtifactRef& ref) {
  require(!ref_to_json(ref).empty(), "ref_to_json renders every ref");
}

void normalize(google::protobuf::Value& value);

void normalize(google::protobuf::Struct& object) {
  for (auto& entry : *object.mutable_fields()) {
    normalize(entry.second);
  }
}

void normalize(google::protobuf::Value& value) {
  switch (value.kind_case()) {
    case google::protobuf::Value::kNullValue:
      value.set_null_value(google::protobuf::NULL_VALUE);
      break;
    case google::protobuf::Value::kStructValue:
      normalize(*value.mutable_struct_value());
      break;
    case google::protobuf::Value::kListValue:
      for (auto& element : *value.mutable_list_value()->mutable_values()) {
        normalize(element);
      }
      break;
    default:
      break;
  }
}

// What JSON can say of `source`: fields unknown to the schema have no JSON
// form, and every null is the one null, whatever number the wire gave its
// enum. Only for a source the store accepted (so of bounded depth).
google::protobuf::Struct json_meaning(const google::protobuf::Struct& source) {
  google::protobuf::Struct out = source;
  out.DiscardUnknownFields();
  normalize(out);
  return out;
}

// A put as a node serves it: routed by its digest when the client supplied
// one (the supervisor), prepared (validated, digested, defaulted) and stored
// by a worker. The route and the stored id must agree, the stored source
// must be the JSON of the request's source, and the bytes must come back.
void serve_put(const v1::PutRequest& request) {
  const bool has_digest = !request.sha256().empty();
  if (has_digest) {
    (void)route_of(request, options());
  }
  try {
    auto prepared = prepare_put(request, options());
    if (has_digest) {
      require(put_route_id(request, options()) == prepared.ref.id(),
              "a put with a digest is routed by the id it is stored under");
    }
    if (request.has_source()) {
      google::protobuf::Struct stored;
      require(source_from_json(prepared.source_json, &stored),
              "the stored source JSON of a put parses");
      require(google::protobuf::util::MessageDifferencer::Equals(stored,
                                                                 json_meaning(request.source())),
              "the stored source JSON of a put holds the request's source");
    } else {
      require(prepared.source_json == "null", "a put without source stores null");
    }

    worker_store store;
    auto stored = store.ops.put(request);
    require(stored.id() == prepared.ref.id() && stored.sha256() == prepared.ref.sha256(),
            "a put returns the ref of its content");
    v1::Key key;
    *key.mutable_scope() = request.scope();
    key.set_id(stored.id());
    auto blob = store.ops.get(key);
    require(blob.found() && blob.data() == request.data(), "a stored put reads back");
  } catch (const store_error&) {
    // The request was refused, as the node would answer it.
  }
}

// A keyed request as a node serves it: routed by its key, then every keyed
// operation on a worker, which agree with each other.
void serve_key(const v1::Key& key) {
  (void)route_of(key);
  try {
    worker_store store;
    const bool exists = store.ops.exists(key);
    require(store.ops.get(key).found() == exists, "get finds what exists finds");
    require(store.ops.get_ref(key).found() == exists, "get_ref finds what exists finds");
    require(store.ops.remove(key) == exists, "delete reports whether the artifact existed");
    require(!store.ops.exists(key), "nothing exists after delete");
  } catch (const store_error&) {
    // The key was refused, as the node would answer it.
  }
}

bool matches(const std::string& filter, const std::string& value) {
  return filter.empty() || filter == value;
}

// A listing as a node serves it: one page, within the limit, of refs that
// match the filter; the token it hands out continues the listing.
void serve_list(const v1::ListRequest& request) {
  try {
    worker_store store;
    auto page = store.ops.list(request);
    const auto& bounds = options().limits;
    const uint32_t limit = request.limit() == 0 ? bounds.default_list_limit
                                                : std::min(request.limit(), bounds.max_list_limit);
    require(static_cast<uint32_t>(page.refs_size()) <= limit, "a page holds at most its limit");
    const auto& filter = request.filter();
    for (const auto& ref : page.refs()) {
      const auto& scope = ref.scope();
      require(matches(filter.tenant(), scope.tenant()) && matches(filter.user(), scope.user()) &&
                  matches(filter.session(), scope.session()) &&
                  matches(filter.task(), scope.task()),
              "a listing returns only refs that match its filter");
    }
    if (!page.next_page_token().empty()) {
      auto next = request;
      next.set_page_token(page.next_page_token());
      (void)store.ops.list(next);
    }
  } catch (const store_error&) {
    // The request was refused, as the node would answer it.
  }
}

// A scope on its own: what the scoped client and the store check of it.
void check_scope(const v1::Scope& scope) {
  try {
    check_filter("list", scope, options().limits);
    check_identity("put", scope, options().limits);
  } catch (const store_error&) {
    // Refused, as the store would refuse it.
  }
}

// A request a client is about to send, with arbitrary bytes in its string
// fields (clients build requests from caller strings, not from a parse).
// check_wire_strings must pass exactly the requests a node can decode, and
// those must arrive unchanged.
void check_outgoing(const uint8_t* data, size_t size) {
  FuzzedDataProvider input{data, size};
  v1::PutRequest request;
  auto& scope = *request.mutable_scope();
  scope.set_tenant(input.ConsumeRandomLengthString());
  scope.set_user(input.ConsumeRandomLengthString());
  scope.set_session(input.ConsumeRandomLengthString());
  scope.set_task(input.ConsumeRandomLengthString());
  request.set_mime_type(input.ConsumeRandomLengthString());
  request.set_filename(input.ConsumeRandomLengthString());
  request.set_namespace_(input.ConsumeRandomLengthString());
  request.set_sha256(input.ConsumeRandomLengthString());
  if (input.ConsumeBool()) {
    auto key = input.ConsumeRandomLengthString();
    auto& value = (*request.mutable_source()->mutable_fields())[key];
    if (input.ConsumeBool()) {
      value.set_string_value(input.ConsumeRandomLengthString());
    } else {
      auto& nested = (*value.mutable_struct_value()->mutable_fields())["k"];
      nested.mutable_list_value()->add_values()->set_string_value(
          input.ConsumeRandomLengthString());
    }
  }
  request.set_data(input.ConsumeRemainingBytesAsString());

  const bool passes = !check_wire_strings("put", request);
  auto bytes = fuzz::encode_wire(request);
  auto decoded = fuzz::decode_wire<v1::PutRequest>(bytes.data(), bytes.size());
  require(passes == decoded.has_value(),
          "check_wire_strings passes exactly the requests a node can decode");
  if (decoded) {
    require(canonical_bytes(*decoded) == canonical_bytes(request),
            "a request arrives as it was sent");
  }
}

template <class Message, class Handler>
void on_decoded(const char* bytes, size_t size, Handler handle) {
  auto message = fuzz::decode_wire<Message>(bytes, size);
  if (!message) {
    return;  // The node drops it.
  }
  check_reencodes(*message);
  // What a client would check before sending the same message on.
  (void)check_wire_strings("fuzz", *message);
  handle(*message);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // A rejected message makes protobuf log an error; at fuzzing rates that
  // output would drown libFuzzer's own.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    return 0;
  }
  const auto kind = static_cast<wire_kind>(data[0] % static_cast<uint8_t>(wire_kind::count));
  const auto* bytes = reinterpret_cast<const char*>(data + 1);
  const size_t length = size - 1;
  switch (kind) {
    case wire_kind::scope:
      on_decoded<v1::Scope>(bytes, length, check_scope);
      break;
    case wire_kind::artifact_ref:
      on_decoded<v1::ArtifactRef>(bytes, length, render);
      break;
    case wire_kind::put_request:
      on_decoded<v1::PutRequest>(bytes, length, serve_put);
      break;
    case wire_kind::key:
      on_decoded<v1::Key>(bytes, length, serve_key);
      break;
    case wire_kind::blob:
      on_decoded<v1::Blob>(bytes, length, [](const v1::Blob&) {});
      break;
    case wire_kind::ref_result:
      on_decoded<v1::RefResult>(bytes, length, [](const v1::RefResult& result) {
        if (result.found()) {
          render(result.ref());
        }
      });
      break;
    case wire_kind::list_request:
      on_decoded<v1::ListRequest>(bytes, length, serve_list);
      break;
    case wire_kind::ref_list:
      on_decoded<v1::RefList>(bytes, length, [](const v1::RefList& list) {
        for (const auto& ref : list.refs()) {
          render(ref);
        }
      });
      break;
    case wire_kind::outgoing_put:
      check_outgoing(data + 1, length);
      break;
    case wire_kind::count:
      break;
  }
  return 0;
}
