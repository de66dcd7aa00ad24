// serve --access-log: one line in the node's log for each request a worker
// answered (store_config::on_answered).
#pragma once

#include <string>

#include <artifact_store/request_log.hpp>

namespace artifacts::cli {

// Writes each answered request on stderr beside the node's log
// (node_log.hpp), whatever its level, as
//   2026-12-07T03:10:00.123Z access op="put" tenant="acme" user="ada" session="s1"
//     task="" id="default_2cf24dba5fb0" upload="" bytes=5 ms=0.412 code="ok"
// or, with `format` json, as {"time":…,"type":"access","op":"put",…}. The
// strings come from callers, so they are always quoted and escaped as JSON
// strings: a newline or a quote in a tenant cannot forge a line. No payload.
request_log make_access_log(const std::string& format);

}  // namespace artifacts::cli
