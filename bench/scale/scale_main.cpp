// The data-scale benchmark's probe: what an agent's requests cost as a
// store grows. `load` grows the tenant "large" through the store's client
// (and keeps a tenant "small" of 100 artifacts beside it); `measure` prints
// one JSON line of what the requests cost at the store's present size.
//
//   artifact-store-scale load --dsn DSN --from K --to N
//   artifact-store-scale measure --dsn DSN --size N
//
// Artifact i of "large" holds 64 bytes fixed by i and lives in user
// u<i % 10>, session s<i / 10 % 100>, so a load that stops part way can be
// run again: a re-put of the same bytes stores nothing new.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <artifact_store/artifact_store.hpp>

namespace {

using clock_type = std::chrono::steady_clock;
using artifacts::v1::ArtifactRef;

constexpr uint64_t small_tenant_size = 100;
constexpr uint32_t page = 1000;
constexpr uint64_t paged_at_most = 100000;
constexpr int load_threads = 32;
constexpr int page_repeats = 50;
constexpr int point_operations = 1000;

[[noreturn]] void fail(const std::string& what, const caf::error& err) {
  std::cerr << "artifact-store-scale: " << what << ": " << artifacts::describe(err) << "\n";
  std::exit(3);
}

template <class T>
T must(caf::expected<T> value, const std::string& what) {
  if (!value) {
    fail(what, value.error());
  }
  return std::move(*value);
}

artifacts::v1::PutRequest numbered(const std::string& tenant, uint64_t i) {
  artifacts::v1::PutRequest put;
  put.mutable_scope()->set_tenant(tenant);
  put.mutable_scope()->set_user("u" + std::to_string(i % 10));
  put.mutable_scope()->set_session("s" + std::to_string(i / 10 % 100));
  put.set_mime_type("application/octet-stream");
  std::string data = tenant + " artifact " + std::to_string(i) + " ";
  data.resize(64, '.');
  put.set_data(std::move(data));
  return put;
}

// Puts artifacts [from, to) of `tenant` from load_threads threads.
void load(artifacts::client& store, const std::string& tenant, uint64_t from, uint64_t to) {
  std::atomic<uint64_t> next{from};
  std::vector<std::thread> threads;
  for (int t = 0; t < load_threads; ++t) {
    threads.emplace_back([&] {
      for (uint64_t i = next++; i < to; i = next++) {
        must(store.put(numbered(tenant, i)), "load: put");
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
}

double ms_since(clock_type::time_point start) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[static_cast<size_t>(p * (values.size() - 1))];
}

artifacts::v1::ListRequest list_of(const std::string& tenant, const std::string& user,
                                   const std::string& token) {
  artifacts::v1::ListRequest request;
  request.mutable_filter()->set_tenant(tenant);
  request.mutable_filter()->set_user(user);
  request.set_limit(page);
  request.set_page_token(token);
  return request;
}

// The milliseconds of one page of `request`, median of page_repeats.
double page_ms(artifacts::client& store, const artifacts::v1::ListRequest& request,
               size_t expected) {
  std::vector<double> times;
  for (int i = 0; i < page_repeats; ++i) {
    const auto start = clock_type::now();
    auto refs = must(store.list(request), "measure: list");
    times.push_back(ms_since(start));
    if (static_cast<size_t>(refs.refs_size()) != expected) {
      std::cerr << "artifact-store-scale: a page held " << refs.refs_size() << " refs, not "
                << expected << "\n";
      std::exit(3);
    }
  }
  return median(times);
}

// The milliseconds of a usage of `tenant`, median of page_repeats.
double usage_ms(artifacts::client& store, const std::string& tenant, uint64_t expected) {
  artifacts::v1::Scope filter;
  filter.set_tenant(tenant);
  std::vector<double> times;
  for (int i = 0; i < page_repeats; ++i) {
    const auto start = clock_type::now();
    auto usage = must(store.usage(filter), "measure: usage");
    times.push_back(ms_since(start));
    if (usage.count() < expected) {
      std::cerr << "artifact-store-scale: usage counted " << usage.count() << ", not " << expected
                << "\n";
      std::exit(3);
    }
  }
  return median(times);
}

struct point_figures {
  double p50_us;
  double p99_us;
  double per_s;
};

template <class Fn>
point_figures time_each(int count, Fn&& operation) {
  std::vector<double> times;
  const auto begin = clock_type::now();
  for (int i = 0; i < count; ++i) {
    const auto start = clock_type::now();
    operation(i);
    times.push_back(ms_since(start) * 1000);
  }
  const double seconds = ms_since(begin) / 1000;
  return {median(times), percentile(times, 0.99), count / seconds};
}

void print_point(const char* name, const point_figures& figures) {
  std::printf(",\"%s_p50_us\":%.1f,\"%s_p99_us\":%.1f,\"%s_per_s\":%.0f", name, figures.p50_us,
              name, figures.p99_us, name, figures.per_s);
}

void measure(artifacts::client& store, uint64_t size) {
  // The small tenant beside the large one, whole in one page.
  const double small_ms = page_ms(store, list_of("small", "", ""), small_tenant_size);
  // A page of the large tenant from its middle: a cursor at the first ref of
  // user u5 (users u0 to u9 hold a tenth each), continued under the tenant.
  const auto middle = must(store.list([] {
    auto request = list_of("large", "u5", "");
    request.set_limit(1);
    return request;
  }()),
                           "measure: list");
  const double large_ms = page_ms(store, list_of("large", "", middle.next_page_token()),
                                  std::min<uint64_t>(page, size / 2 - 1));
  const double small_usage_ms = usage_ms(store, "small", small_tenant_size);
  const double large_usage_ms = usage_ms(store, "large", size);

  // Paging the large tenant from its start, page after page.
  std::vector<ArtifactRef> paged;
  auto request = list_of("large", "", "");
  const auto start = clock_type::now();
  while (paged.size() < std::min(size, paged_at_most)) {
    auto refs = must(store.list(request), "measure: list");
    paged.insert(paged.end(), refs.refs().begin(), refs.refs().end());
    if (refs.next_page_token().empty()) {
      break;
    }
    request.set_page_token(refs.next_page_token());
  }
  const double paged_s = ms_since(start) / 1000;

  std::mt19937_64 rng(42);
  std::vector<artifacts::v1::Key> keys;
  for (int i = 0; i < point_operations; ++i) {
    const auto& ref = paged[rng() % paged.size()];
    artifacts::v1::Key key;
    *key.mutable_scope() = ref.scope();
    key.set_id(ref.id());
    keys.push_back(std::move(key));
  }
  const auto get = time_each(point_operations, [&](int i) {
    if (!must(store.get(keys[i]), "measure: get").found()) {
      std::cerr << "artifact-store-scale: a listed artifact was not found\n";
      std::exit(3);
    }
  });
  const auto exists =
      time_each(point_operations, [&](int i) { must(store.exists(keys[i]), "measure: exists"); });
  const std::string nonce = std::to_string(std::random_device{}());
  const auto put = time_each(point_operations, [&](int i) {
    must(store.put(numbered("fresh-" + nonce, static_cast<uint64_t>(i))), "measure: put");
  });

  std::printf(
      "{\"size\":%llu,\"small_page_ms\":%.3f,\"large_page_ms\":%.3f,\"paged_refs\":%zu,"
      "\"paged_s\":%.3f,\"small_usage_ms\":%.3f,\"large_usage_ms\":%.3f",
      static_cast<unsigned long long>(size), small_ms, large_ms, paged.size(), paged_s,
      small_usage_ms, large_usage_ms);
  print_point("get", get);
  print_point("exists", exists);
  print_point("put", put);
  std::printf("}\n");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"the data-scale benchmark's probe"};
  app.require_subcommand(1);
  std::string dsn;
  uint64_t from = 0;
  uint64_t to = 0;
  uint64_t size = 0;
  auto* load_command = app.add_subcommand("load", "grow the tenant \"large\" to --to artifacts");
  load_command->add_option("--dsn", dsn, "the store")->required();
  load_command->add_option("--from", from, "the first artifact number to put");
  load_command->add_option("--to", to, "one past the last artifact number to put")->required();
  auto* measure_command = app.add_subcommand("measure", "print what requests cost, as JSON");
  measure_command->add_option("--dsn", dsn, "the store")->required();
  measure_command->add_option("--size", size, "artifacts in \"large\"")->required();
  CLI11_PARSE(app, argc, argv);

  caf::actor_system_config cfg;
  artifacts::configure_actor_system(cfg);
  caf::actor_system sys{cfg};
  artifacts::store_config config;
  config.storage.dsn = dsn;
  auto store = artifacts::open_store(sys, config);
  if (!store) {
    fail("open", store.error());
  }
  {
    artifacts::client client{sys, *store};
    if (*load_command) {
      load(client, "small", 0, small_tenant_size);
      load(client, "large", from, to);
    } else {
      measure(client, size);
    }
  }
  store->close(sys);
  return 0;
}
