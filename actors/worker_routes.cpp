#include "actors/worker_routes.hpp"

#include "actors/routing.hpp"
#include "actors/store_metrics.hpp"

namespace artifacts {

direct_admission admit_directly(const worker_routes* routes, uint64_t route, size_t payload_bytes) {
  direct_admission out;
  auto table = routes != nullptr ? routes->current() : nullptr;
  if (table == nullptr) {
    return out;
  }
  const size_t index = table->index_of(route);
  switch (table->loads[index]->try_admit(table->limits, payload_bytes)) {
    case admission::admitted:
      out.worker = table->workers[index];
      break;
    case admission::overloaded:
      out.refused_at = table->limits;
      if (table->metrics) {
        table->metrics->overloaded();
      }
      break;
    case admission::worker_gone:
      break;
  }
  return out;
}

direct_admission admit_directly(const worker_routes* routes, const v1::Key& key) {
  return admit_directly(routes, route_of(key), 0);
}

direct_admission admit_directly(const worker_routes* routes, const verified_put& put,
                                const storage_options& storage) {
  return admit_directly(routes, route_of(put.request(), storage), put.request().data().size());
}

}  // namespace artifacts
