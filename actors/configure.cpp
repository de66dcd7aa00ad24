#include "actors/configure.hpp"

#include <caf/actor_system_config.hpp>

#include "actors/error.hpp"
#include "messages/message_types.hpp"

namespace artifacts {

void configure_actor_system(caf::actor_system_config& cfg) {
  add_message_types(cfg);
  add_error_category(cfg);
}

}  // namespace artifacts
