// Writes the seed corpora of the fuzz targets: valid inputs from which
// libFuzzer starts mutating. The files under tests/fuzz/corpus/ are its
// output, committed; run it again after a change to the wire schema, the
// sidecar format or the input layout of a target:
//
//   build-fuzz/tests/fuzz/fuzz_seeds tests/fuzz/corpus
//
// Every seed is made by the code that makes such bytes in production (CAF's
// serializer through the messages' inspect overload, the fs driver writing a
// sidecar), so the seeds follow the formats when they change. Output is
// deterministic: the same build writes the same files.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include <artifact_store/v1/artifacts.pb.h>

#include "storage/fs/fs_driver.hpp"
#include "storage/fs/fs_layout.hpp"
#include "storage/memory_driver.hpp"
#include "storage/operations.hpp"
#include "storage/page_token.hpp"
#include "storage/sha256.hpp"
#include "tests/fuzz/wire_input.hpp"

namespace {

namespace stdfs = std::filesystem;
using namespace artifacts;
using artifacts::fuzz::encode_wire;
using artifacts::fuzz::wire_input;
using artifacts::fuzz::wire_kind;

void write(const stdfs::path& folder, const std::string& name, const std::string& bytes) {
  stdfs::create_directories(folder);
  std::ofstream out{folder / name, std::ios::binary | std::ios::trunc};
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    throw std::runtime_error("cannot write " + (folder / name).string());
  }
}

v1::Key key_of(const v1::ArtifactRef& ref) {
  v1::Key key;
  *key.mutable_scope() = ref.scope();
  key.set_id(ref.id());
  return key;
}

void write_wire_seeds(const stdfs::path& folder) {
  const auto requests = fuzz::stored_artifacts();
  storage_options options;
  options.dsn = "memory:";
  auto storage = make_memory_driver(options);
  operations ops{storage->open_backend(), storage->options()};
  std::vector<v1::ArtifactRef> refs;
  for (const auto& request : requests) {
    refs.push_back(ops.put(request));
  }

  write(folder, "scope", wire_input(wire_kind::scope, encode_wire(requests[0].scope())));
  write(folder, "artifact_ref_with_source",
        wire_input(wire_kind::artifact_ref, encode_wire(refs[2])));

  write(folder, "put_request_text", wire_input(wire_kind::put_request, encode_wire(requests[0])));
  auto with_digest = requests[1];
  with_digest.set_sha256(sha256_hex(with_digest.data()));
  write(folder, "put_request_with_digest",
        wire_input(wire_kind::put_request, encode_wire(with_digest)));
  write(folder, "put_request_with_source",
        wire_input(wire_kind::put_request, encode_wire(requests[2])));

  write(folder, "key_stored", wire_input(wire_kind::key, encode_wire(key_of(refs[1]))));
  auto missing = key_of(refs[0]);
  missing.set_id("default_000000000000");
  write(folder, "key_missing", wire_input(wire_kind::key, encode_wire(missing)));

  v1::Blob blob;
  blob.set_found(true);
  blob.set_data(requests[0].data());
  write(folder, "blob_found", wire_input(wire_kind::blob, encode_wire(blob)));

  v1::RefResult result;
  result.set_found(true);
  *result.mutable_ref() = refs[1];
  write(folder, "ref_result_found", wire_input(wire_kind::ref_result, encode_wire(result)));

  v1::ListRequest first_page;
  first_page.mutable_filter()->set_tenant(requests[0].scope().tenant());
  first_page.set_limit(2);
  write(folder, "list_request_first_page",
        wire_input(wire_kind::list_request, encode_wire(first_page)));
  auto page = ops.list(first_page);
  auto next_page = first_page;
  next_page.set_page_token(page.next_page_token());
  write(folder, "list_request_next_page",
        wire_input(wire_kind::list_request, encode_wire(next_page)));
  write(folder, "ref_list", wire_input(wire_kind::ref_list, encode_wire(page)));

  // FuzzedDataProvider ends each string at a backslash followed by another
  // character.
  const std::string fields = R"(acme\ ana\ s1\ t1\ text/plain\ a.txt\ logs\ \ hello)";
  write(folder, "outgoing_put",
        std::string(1, static_cast<char>(wire_kind::outgoing_put)) + fields);
}

void write_dsn_seeds(const stdfs::path& folder) {
  const std::vector<std::pair<std::string, std::string>> dsns = {
      {"memory", "memory:"},
      {"sqlite", "sqlite:/tmp/x"},
      {"sqlite_relative", "sqlite:artifacts.db"},
      {"fs", "fs:/tmp/d"},
      {"postgres_uri", "postgres://u:p@h:5432/db?sslmode=disable"},
      {"postgresql_uri", "postgresql://app@[::1]:5433,db2/artifacts?connect_timeout=3"},
      {"postgres_keywords", "host=localhost port=5432 dbname=artifacts user=app password='p w\\''"},
      {"unknown_scheme", "mysql://h/db"},
  };
  for (const auto& [name, dsn] : dsns) {
    write(folder, name, dsn);
  }
}

// The sidecar the fs driver writes for each stored artifact, read back from
// a throw-away store.
void write_sidecar_seeds(const stdfs::path& folder) {
  const auto requests = fuzz::stored_artifacts();
  for (size_t i = 0; i < requests.size(); ++i) {
    const auto root =
        stdfs::temp_directory_path() /
        ("artifacts-fuzz-seeds-" + std::to_string(::getpid()) + "-" + std::to_string(i));
    stdfs::remove_all(root);
    {
      storage_options options;
      options.dsn = "fs:" + root.string();
      auto storage = make_fs_driver(options, root.string());
      operations ops{storage->open_backend(), storage->options()};
      ops.put(requests[i]);
    }
    std::vector<stdfs::path> sidecars;
    for (const auto& entry : stdfs::recursive_directory_iterator(root)) {
      if (entry.is_regular_file() && entry.path().extension() == ".json") {
        sidecars.push_back(entry.path());
      }
    }
    if (sidecars.size() != 1) {
      throw std::runtime_error("expected one sidecar under " + root.string());
    }
    std::ifstream in{sidecars[0], std::ios::binary};
    std::string json{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    write(folder, "sidecar_" + std::to_string(i), json);
    stdfs::remove_all(root);
  }
}

// Escaped values as the fs driver names them on disk, markers removed: the
// concatenated names of one value.
void write_name_seeds(const stdfs::path& folder) {
  const std::vector<std::pair<std::string, std::string>> values = {
      {"plain", "acme"},
      {"escaped", "Ana/B %x"},
      {"unicode", "\xc3\xa9t\xc3\xa9"},
      {"id", "logs_486ea46224d1"},
      {"long", std::string(150, 'A')},
  };
  for (const auto& [name, value] : values) {
    std::string escaped;
    for (const auto& part : fs::encode_value(value)) {
      escaped += part.substr(1);
    }
    write(folder, name, escaped);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_seeds CORPUS_DIR\n";
    return 2;
  }
  try {
    const stdfs::path out = argv[1];
    write_wire_seeds(out / "fuzz_wire_messages");
    write_dsn_seeds(out / "fuzz_dsn");
    write_sidecar_seeds(out / "fuzz_fs_sidecar");
    write_name_seeds(out / "fuzz_fs_names");
  } catch (const std::exception& e) {
    std::cerr << "fuzz_seeds: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
