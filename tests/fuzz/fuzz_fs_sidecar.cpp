// Fuzzes the fs driver's sidecar reader: the bytes of an artifact's sidecar
// file (its ref as JSON), which a crash, a full disk or another program may
// have left in any state, go through parse_sidecar as the driver reads them.
//
// A ref that parses is then used as the driver and its callers use a stored
// ref: rendered again (the sidecar the driver would write, the line the
// command prints) and turned into the page token that continues a listing.
// None of these may throw for a ref that parsed: an exception escapes and
// libFuzzer reports it. A broken invariant aborts.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/message_differencer.h>

#include <artifact_store/errc.hpp>
#include <artifact_store/ref_json.hpp>

#include "storage/fs/fs_sidecar.hpp"
#include "storage/page_token.hpp"
#include "tests/fuzz/invariant.hpp"

namespace {

using namespace artifacts;
using artifacts::fuzz::require;
using google::protobuf::util::MessageDifferencer;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Protobuf may log about rejected input; at fuzzing rates that output
  // would drown libFuzzer's own.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  auto ref = fs::parse_sidecar(json);
  if (!ref) {
    return 0;  // The driver treats the artifact as not stored.
  }

  const auto rendered = fs::sidecar_json("fuzz", *ref);
  auto again = fs::parse_sidecar(rendered);
  require(again.has_value(), "a sidecar the driver renders parses");
  require(MessageDifferencer::Equals(*again, *ref), "a ref survives its sidecar unchanged");
  require(!ref_to_json(*ref).empty(), "ref_to_json renders every stored ref");

  const auto cursor = decode_page_token("list", encode_page_token(*ref));
  require(MessageDifferencer::Equals(cursor.scope(), ref->scope()) &&
              cursor.namespace_() == ref->namespace_() && cursor.id() == ref->id(),
          "a page token continues after the ref it was made from");
  return 0;
}
