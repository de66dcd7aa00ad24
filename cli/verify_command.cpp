#include <cstdint>
#include <iostream>
#include <string>

#include <artifact_store/error.hpp>
#include <artifact_store/ref_json.hpp>

#include "cli/artifact_walk.hpp"
#include "cli/exit_status.hpp"
#include "cli/progress_line.hpp"
#include "cli/report.hpp"
#include "cli/transfer_commands.hpp"
#include "storage/sha256.hpp"

namespace artifacts::cli {

int run_verify(client& store, const std::vector<std::string>& tenants) {
  uint64_t checked = 0;
  uint64_t corrupt = 0;
  uint64_t bytes_read = 0;
  progress_line progress{"verify", std::nullopt};
  auto err = for_each_artifact(store, tenants, [&](const v1::ArtifactRef& ref) -> caf::error {
    sha256_stream digest;
    int64_t size = 0;
    auto read = store.read(key_of(ref), [&](std::string_view part) -> caf::error {
      digest.update(part);
      size += static_cast<int64_t>(part.size());
      progress.update(bytes_read += part.size());
      return caf::none;
    });
    if (read && !*read) {
      return caf::none;  // deleted or expired since it was listed
    }
    if (!read && code_of(read.error()) == errc::unavailable &&
        message_of(read.error()).find("deleted or expired") != std::string::npos) {
      return caf::none;  // the same, in the middle of the read
    }
    const std::string found = digest.finish();
    const bool matches = found == ref.sha256() && size == ref.size_bytes();
    // client::read fails with internal when the bytes do not hash to the
    // ref's digest; the digest computed here says what they hash to. Any
    // other failure is the store's, not the artifact's.
    if (!read && (matches || code_of(read.error()) != errc::internal)) {
      return make_error(code_of(read.error()),
                        "verify: " + artifact_name(ref) + ": " + message_of(read.error()));
    }
    ++checked;
    if (!matches) {
      ++corrupt;
      progress.note("corrupt: " + artifact_name(ref));
      std::cout << "{\"corrupt\":" << ref_to_json(ref) << ",\"sha256\":\"" << found
                << "\",\"size_bytes\":" << size << "}\n";
    }
    return caf::none;
  });
  progress.finish();
  std::cout << std::flush;
  if (err) {
    return report_error(err);
  }
  const int printed = print_line("{\"checked\":" + std::to_string(checked) +
                                 ",\"corrupt\":" + std::to_string(corrupt) + "}");
  return printed != exit_ok || corrupt > 0 ? exit_error : exit_ok;
}

}  // namespace artifacts::cli
