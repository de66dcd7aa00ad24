// Registering Catch2 test cases at run time, one suite per factory.
// For suites written once and registered once per driver or per way of
// reaching a store.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include <catch2/catch.hpp>

namespace artifacts::scenarios {

// Runs one case of a suite against what one factory makes.
template <class Factory>
class factory_case final : public Catch::ITestInvoker {
 public:
  factory_case(void (*run)(const Factory&), std::shared_ptr<const Factory> factory)
      : run_(run), factory_(std::move(factory)) {}

  void invoke() const override { run_(*factory_); }

 private:
  void (*run_)(const Factory&);
  std::shared_ptr<const Factory> factory_;
};

// Registers a Catch2 test case `name`, tagged `tags`, that runs
// run(*factory). Call it during static initialisation, before Catch reads
// its registry; names must be unique within one executable.
template <class Factory>
void register_case(const std::string& name, const std::string& tags, void (*run)(const Factory&),
                   std::shared_ptr<const Factory> factory) {
  // Catch copies the name and tags; the invoker becomes its own.
  Catch::AutoReg registration{new factory_case<Factory>(run, std::move(factory)),
                              Catch::SourceLineInfo(__FILE__, __LINE__), Catch::StringRef(),
                              Catch::NameAndTags(Catch::StringRef(name), Catch::StringRef(tags))};
  (void)registration;
}

}  // namespace artifacts::scenarios
