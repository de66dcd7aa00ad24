// What a benchmark drives: the store through its client, or a baseline that
// talks to PostgreSQL directly.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include <artifact_store/v1/artifacts.pb.h>

namespace artifacts::bench {

// Where every artifact of one run lives: one scope and one namespace.
struct run_scope {
  artifacts::v1::Scope scope;
  std::string name_space;
};

// One caller's connection to a subject, used by one thread at a time.
// Failures throw std::exception with a message that names the cause; the
// runner counts them and carries on.
class caller {
 public:
  virtual ~caller() = default;

  // Stores `bytes` in the run's scope and returns its id. Hashing the bytes
  // is part of the work measured.
  virtual std::string put(std::string bytes) = 0;

  // Fetches the bytes stored under `id` and returns how many arrived. An
  // absent artifact is a failure: a benchmark only asks for what it stored.
  virtual size_t get(const std::string& id) = 0;
};

// What a run measures: the store, or a baseline that stands beside it.
class subject {
 public:
  virtual ~subject() = default;

  // "store", "baseline seed", "baseline raw".
  virtual std::string label() const = 0;

  // A caller of its own (a baseline opens one connection per caller). Called
  // once per caller thread before the clock starts.
  virtual std::unique_ptr<caller> open_caller() = 0;
};

}  // namespace artifacts::bench
