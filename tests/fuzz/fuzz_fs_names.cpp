// Fuzzes the fs driver's reading of names on disk: the folder and file names
// under a store's root, which another program or a damaged disk may have
// made, go through decode_escaped as the driver's listing reads them.
//
// decode_escaped accepts exactly what encode_value produces: a value it
// decodes encodes back to the same characters, so no value has two spellings
// and no two paths name one artifact. It throws nothing but std::bad_alloc.
// A broken invariant aborts.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/fs/fs_layout.hpp"
#include "tests/fuzz/invariant.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view escaped(reinterpret_cast<const char*>(data), size);
  auto value = artifacts::fs::decode_escaped(escaped);
  if (!value) {
    return 0;  // The listing skips such a name.
  }
  std::string again;
  for (const auto& name : artifacts::fs::encode_value(*value)) {
    again += name.substr(1);  // Without its marker.
  }
  artifacts::fuzz::require(again == escaped, "a decoded name has one spelling: its encoding");
  return 0;
}
