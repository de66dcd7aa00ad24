// artifact-store: a content-addressed artifact store for actor-based C++
// programs. Including this header brings the whole public API:
//
//   configure.hpp      preparing a caf::actor_system_config for the store
//   store.hpp          open_store, store (actor(), close)
//   store_config.hpp   store_config; storage_options.hpp: DSN, limits, timeouts
//   store_actor.hpp    the typed store_actor interface; atoms.hpp: its atoms
//   client.hpp         client, the blocking facade (also reconnecting)
//   scoped_client.hpp  scoped_client, one scope stamped on every call
//   node.hpp           publishing a store on a port
//   remoting.hpp       remoting and TLS options, connect_store
//   error.hpp          caf::error in the store's category; errc.hpp: the codes
//   messages.hpp       the artifacts.v1 messages (v1/artifacts.proto)
//   ref_json.hpp       a ref as protobuf's JSON mapping prints it
//   version.hpp        the version compiled against and the one running
//
// What is not reachable from here is not API: it lives in the source tree
// and may change in any release.
#pragma once

#include <artifact_store/atoms.hpp>
#include <artifact_store/client.hpp>
#include <artifact_store/configure.hpp>
#include <artifact_store/direct_request.hpp>
#include <artifact_store/errc.hpp>
#include <artifact_store/error.hpp>
#include <artifact_store/message_types.hpp>
#include <artifact_store/messages.hpp>
#include <artifact_store/metrics.hpp>
#include <artifact_store/node.hpp>
#include <artifact_store/ref_json.hpp>
#include <artifact_store/remoting.hpp>
#include <artifact_store/request_log.hpp>
#include <artifact_store/scoped_client.hpp>
#include <artifact_store/storage_options.hpp>
#include <artifact_store/store.hpp>
#include <artifact_store/store_actor.hpp>
#include <artifact_store/store_config.hpp>
#include <artifact_store/verified_put.hpp>
#include <artifact_store/version.hpp>
