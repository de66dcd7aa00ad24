#include <algorithm>
#include <iostream>

#include <artifact_store/ref_json.hpp>

#include "cli/data_commands.hpp"
#include "cli/exit_status.hpp"
#include "cli/report.hpp"

namespace artifacts::cli {

namespace {

// Refs asked for per request: the store's default page, so that no store
// configuration clamps it.
constexpr uint64_t page_size = 1000;

}  // namespace

int run_ls(client& store, const list_flags& flags) {
  v1::ListRequest request;
  *request.mutable_filter() = flags.filter.to_scope();
  uint64_t printed = 0;
  for (;;) {
    const uint64_t wanted =
        flags.limit == 0 ? page_size : std::min(page_size, flags.limit - printed);
    request.set_limit(static_cast<uint32_t>(wanted));
    auto page = store.list(request);
    if (!page) {
      return report_error(page.error());
    }
    for (const auto& ref : page->refs()) {
      if (flags.limit != 0 && printed == flags.limit) {
        break;
      }
      std::cout << ref_to_json(ref) << '\n';
      ++printed;
    }
    if (page->next_page_token().empty() || (flags.limit != 0 && printed == flags.limit)) {
      break;
    }
    request.set_page_token(page->next_page_token());
  }
  std::cout << std::flush;
  if (!std::cout) {
    return report_error(errc::internal, "cannot write to standard output");
  }
  return exit_ok;
}

}  // namespace artifacts::cli
