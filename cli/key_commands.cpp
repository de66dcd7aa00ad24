#include <artifact_store/ref_json.hpp>

#include "cli/byte_streams.hpp"
#include "cli/data_commands.hpp"
#include "cli/exit_status.hpp"
#include "cli/report.hpp"

namespace artifacts::cli {

namespace {

v1::Key key_of(const key_flags& flags) {
  v1::Key key;
  *key.mutable_scope() = flags.scope.to_scope();
  key.set_id(flags.id);
  return key;
}

}  // namespace

int run_get(client& store, const key_flags& flags, const std::string& output) {
  auto blob = store.get(key_of(flags));
  if (!blob) {
    return report_error(blob.error());
  }
  if (!blob->found()) {
    return exit_not_found;
  }
  if (auto err = write_output("get", blob->data(), output)) {
    return report_error(err);
  }
  return exit_ok;
}

int run_stat(client& store, const key_flags& flags) {
  auto result = store.get_ref(key_of(flags));
  if (!result) {
    return report_error(result.error());
  }
  if (!result->found()) {
    return exit_not_found;
  }
  return print_line(ref_to_json(result->ref()));
}

int run_exists(client& store, const key_flags& flags) {
  auto exists = store.exists(key_of(flags));
  if (!exists) {
    return report_error(exists.error());
  }
  if (auto status = print_line(*exists ? "true" : "false"); status != exit_ok) {
    return status;
  }
  return *exists ? exit_ok : exit_not_found;
}

int run_rm(client& store, const key_flags& flags) {
  auto existed = store.remove(key_of(flags));
  if (!existed) {
    return report_error(existed.error());
  }
  return *existed ? exit_ok : exit_not_found;
}

}  // namespace artifacts::cli
