#include <artifact_store/store.hpp>

#include <exception>
#include <string>
#include <utility>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/after.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/sec.hpp>
#include <caf/system_messages.hpp>

#include <artifact_store/errc.hpp>
#include <artifact_store/error.hpp>

#include "actors/actor_errors.hpp"
#include "actors/store_metrics.hpp"
#include "actors/supervisor.hpp"
#include "actors/worker_routes.hpp"
#include "storage/open_driver.hpp"

namespace artifacts {

namespace {

caf::error close_timed_out(std::chrono::milliseconds bound) {
  return make_error(errc::unavailable, "close: the workers did not stop within " +
                                           std::to_string(bound.count()) + " ms");
}

}  // namespace

store::store(store_supervisor_actor supervisor, closed_flag closed, store_config config,
             std::shared_ptr<worker_routes> routes)
    : supervisor_(std::move(supervisor)),
      closed_(std::move(closed)),
      config_(std::move(config)),
      routes_(std::move(routes)) {}

store_actor store::actor() const {
  return caf::actor_cast<store_actor>(supervisor_);
}

namespace {

caf::actor admitted_or(const store_supervisor_actor& supervisor, const direct_admission& routed) {
  if (routed.worker != nullptr) {
    return caf::actor_cast<caf::actor>(routed.worker);
  }
  return caf::actor_cast<caf::actor>(supervisor);
}

}  // namespace

caf::actor store::admit(const v1::Key& key) const {
  return admitted_or(supervisor_, admit_directly(routes_.get(), key));
}

caf::actor store::admit(const verified_put& put) const {
  return admitted_or(supervisor_, admit_directly(routes_.get(), put, config_.storage));
}

caf::error store::close(caf::actor_system& sys) const {
  // First, so that local callers fail fast from now on, even before the
  // supervisor hears of the close.
  closed_->store(true);
  if (supervisor_ == nullptr) {
    return {};
  }
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + config_.close_timeout;
  caf::scoped_actor self{sys};
  // The reply comes just before the supervisor quits; its down message tells
  // when it is really gone (and no longer counted as a running actor).
  self->monitor(supervisor_);
  caf::error result;
  self->request(supervisor_, config_.close_timeout, close_atom::value)
      .receive([](bool) {},
               [&](caf::error& err) {
                 // A supervisor that is gone already was closed by someone else.
                 if (is_system_error(err, caf::sec::request_receiver_down)) {
                   return;
                 }
                 if (is_system_error(err, caf::sec::request_timeout)) {
                   result = close_timed_out(config_.close_timeout);
                 } else {
                   result = make_error(code_of(err), "close: " + message_of(err));
                 }
               });
  if (result) {
    return result;
  }
  auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
  if (remaining < std::chrono::milliseconds{1}) {
    remaining = std::chrono::milliseconds{1};
  }
  self->receive([](caf::down_msg&) {},
                caf::after(remaining) >> [&] { result = close_timed_out(config_.close_timeout); });
  return result;
}

caf::expected<store> open_store(caf::actor_system& sys, const store_config& config) {
  if (config.pool_size == 0) {
    return make_error(errc::internal, "open: the pool size must be at least 1");
  }
  if (config.storage.upload_ttl <= std::chrono::milliseconds::zero()) {
    return make_error(errc::invalid_argument, "open: the upload time to live must be positive");
  }
  std::shared_ptr<driver> store_driver;
  try {
    store_driver = open_driver(config.storage);
  } catch (const store_error& e) {
    return make_error(e.code(), e.what());
  } catch (const std::exception& e) {
    return make_error(errc::internal, std::string("open: ") + e.what());
  }
  return start_store(sys, std::move(store_driver), config);
}

store start_store(caf::actor_system& sys, std::shared_ptr<driver> store_driver,
                  const store_config& config) {
  if (config.metrics) {
    config.metrics->opened(store_driver->name());
  }
  auto closed = std::make_shared<std::atomic<bool>>(false);
  auto routes = std::make_shared<worker_routes>();
  auto supervisor = spawn_supervisor(sys, std::move(store_driver), closed, config, routes);
  return store{std::move(supervisor), std::move(closed), config, std::move(routes)};
}

}  // namespace artifacts
