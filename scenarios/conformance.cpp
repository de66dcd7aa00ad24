#include "scenarios/conformance.hpp"

#include <memory>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "scenarios/scenario_catalog.hpp"

namespace artifacts::scenarios {

namespace {

// Runs one scenario against the stores of one factory.
class scenario_invoker final : public Catch::ITestInvoker {
 public:
  scenario_invoker(void (*run)(const store_factory&), std::shared_ptr<const store_factory> factory)
      : run_(run), factory_(std::move(factory)) {}

  void invoke() const override { run_(*factory_); }

 private:
  void (*run_)(const store_factory&);
  std::shared_ptr<const store_factory> factory_;
};

std::vector<scenario> every_scenario() {
  std::vector<scenario> all;
  for (auto group : {basic_scenarios, listing_scenarios, validation_scenarios, isolation_scenarios,
                     lifecycle_scenarios, concurrency_scenarios}) {
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
    const std::string name = driver + ": " + entry.name;
    // Catch copies the name and tags; the invoker becomes its own.
    Catch::AutoReg registration{new scenario_invoker(entry.run, shared),
                                Catch::SourceLineInfo(__FILE__, __LINE__), Catch::StringRef(),
                                Catch::NameAndTags(Catch::StringRef(name), Catch::StringRef(tags))};
    (void)registration;
  }
  return true;
}

}  // namespace artifacts::scenarios
