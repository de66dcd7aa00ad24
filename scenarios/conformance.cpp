#include "scenarios/conformance.hpp"

#include <memory>
#include <utility>
#include <vector>

#include "scenarios/case_registration.hpp"
#include "scenarios/scenario_catalog.hpp"

namespace artifacts::scenarios {

namespace {

std::vector<scenario> every_scenario() {
  std::vector<scenario> all;
  for (auto group : {basic_scenarios, listing_scenarios, validation_scenarios, isolation_scenarios,
                     lifecycle_scenarios, expiry_scenarios, purge_scenarios, range_scenarios,
                     upload_scenarios, concurrency_scenarios}) {
    auto scenarios = group();
    all.insert(all.end(), scenarios.begin(), scenarios.end());
  }
  return all;
}

}  // namespace

bool register_conformance_suite(const std::string& driver, store_factory factory) {
  auto shared = std::make_shared<const store_factory>(std::move(factory));
  const std::string tags = "[conformance][" + driver + "]";
  for (const auto& entry : every_scenario()) {
    register_case(driver + ": " + entry.name, tags, entry.run, shared);
  }
  return true;
}

}  // namespace artifacts::scenarios
