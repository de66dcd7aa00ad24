// The conformance suite: the behaviour every driver and every way of reaching
// a store (in-process, remote) must show, written once.
#pragma once

#include <string>

#include "scenarios/local_fixture.hpp"
#include "scenarios/store_fixture.hpp"

namespace artifacts::scenarios {

// Registers every scenario as a Catch2 test case "<driver>: <scenario>",
// tagged [conformance][<driver>]. Each scenario makes its own fresh stores
// through `factory`. Call it from a static initializer of a test file, once
// per driver name (names must be unique within one executable). Returns true
// so that it can initialise a static.
bool register_conformance_suite(const std::string& driver, store_factory factory);

}  // namespace artifacts::scenarios
