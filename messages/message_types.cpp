#include <artifact_store/message_types.hpp>

#include <caf/actor_system_config.hpp>

#include <artifact_store/messages.hpp>

namespace artifacts {

namespace {

template <class Message>
void add(caf::actor_system_config& cfg) {
  cfg.add_message_type<Message>(Message::descriptor()->full_name());
}

}  // namespace

void add_message_types(caf::actor_system_config& cfg) {
  add<v1::Scope>(cfg);
  add<v1::ArtifactRef>(cfg);
  add<v1::PutRequest>(cfg);
  add<v1::Key>(cfg);
  add<v1::Blob>(cfg);
  add<v1::RefResult>(cfg);
  add<v1::ListRequest>(cfg);
  add<v1::RefList>(cfg);
  add<v1::SweepRequest>(cfg);
  add<v1::Removed>(cfg);
  add<v1::PurgeRequest>(cfg);
  add<v1::UsageRequest>(cfg);
  add<v1::Usage>(cfg);
  add<v1::RangeRequest>(cfg);
  add<v1::BlobRange>(cfg);
  add<v1::UploadBegin>(cfg);
  add<v1::UploadChunk>(cfg);
  add<v1::UploadQuery>(cfg);
  add<v1::UploadCommit>(cfg);
  add<v1::UploadAbort>(cfg);
  add<v1::UploadStatus>(cfg);
}

}  // namespace artifacts
