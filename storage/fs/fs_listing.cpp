#include "storage/fs/fs_listing.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "storage/fs/fs_io.hpp"
#include "storage/fs/fs_layout.hpp"
#include "storage/fs/fs_sidecar.hpp"

namespace artifacts::fs {

namespace {

// The levels below the tree folder; the id is the leaf, its last name a
// file stem.
enum level : size_t { tenant, user, session, task, ns, id, level_count };

// One value found at a level and the names that lead to it from the level's
// folder (for the id: the folders, then the stem).
struct entry {
  std::string value;
  std::vector<std::string> names;
};

bool ends_with(std::string_view text, std::string_view suffix) noexcept {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Adds the values below `folder` to `out`. `escaped` holds the escaped text of
// the continued names walked so far, `path` those names.
void collect(int folder, bool leaf, const std::string& escaped, std::vector<std::string>& path,
             std::vector<entry>& out) {
  for (auto& name : entry_names(folder)) {
    if (name.empty()) {
      continue;
    }
    if (name.front() == continued_marker) {
      if (auto sub = open_folder(folder, name, false)) {
        path.push_back(name);
        collect(sub.get(), leaf, escaped + name.substr(1), path, out);
        path.pop_back();
      }
      continue;
    }
    if (name.front() != final_marker) {
      continue;
    }
    std::string last = name;
    if (leaf) {
      if (!ends_with(last, ref_suffix)) {
        continue;
      }
      last.resize(last.size() - ref_suffix.size());
    }
    auto value = decode_escaped(escaped + last.substr(1));
    if (!value) {
      continue;
    }
    entry found{std::move(*value), path};
    found.names.push_back(std::move(last));
    // Only the names encode_value would choose: no value is listed twice.
    if (encode_value(found.value) == found.names) {
      out.push_back(std::move(found));
    }
  }
}

class walker {
 public:
  walker(const list_query& query, const ref_filter& take) : query_(query), take_(take) {}

  std::vector<v1::ArtifactRef> run(int folder) {
    walk(folder, tenant, query_.after != nullptr);
    return std::move(refs_);
  }

 private:
  const std::string* filter_at(size_t at) const {
    const auto& f = query_.filter;
    const std::array<const std::string*, level_count> fields = {
        &f.tenant(), &f.user(), &f.session(), &f.task(), nullptr, nullptr};
    const auto* field = fields[at];
    return field != nullptr && !field->empty() ? field : nullptr;
  }

  const std::string& cursor_at(size_t at) const {
    const auto& c = *query_.after;
    const std::array<const std::string*, level_count> fields = {
        &c.scope().tenant(), &c.scope().user(), &c.scope().session(),
        &c.scope().task(),   &c.namespace_(),   &c.id()};
    return *fields[at];
  }

  std::vector<entry> entries_at(int folder, size_t at) const {
    std::vector<entry> out;
    if (const auto* wanted = filter_at(at)) {
      out.push_back(entry{*wanted, encode_value(*wanted)});
      return out;
    }
    std::vector<std::string> path;
    collect(folder, at == id, std::string(), path, out);
    return out;
  }

  // Lists below `folder` at level `at`. `bounded`: every level above matched
  // the cursor exactly, so this level starts at the cursor's value.
  //
  // A folder's names come in no order. Rather than sort them all, the values
  // before the cursor are dropped and the rest kept as a heap, from which
  // the walk takes the smallest value only while the page needs more: a
  // page costs the reading of the folders on its way, not the sorting of
  // every value in them.
  void walk(int folder, size_t at, bool bounded) {
    auto entries = entries_at(folder, at);
    if (bounded) {
      const auto& start = cursor_at(at);
      const bool inclusive = at != id;
      entries.erase(std::remove_if(entries.begin(), entries.end(),
                                   [&](const entry& e) {
                                     const int order = e.value.compare(start);
                                     return order < 0 || (order == 0 && !inclusive);
                                   }),
                    entries.end());
    }
    const auto later = [](const entry& a, const entry& b) { return a.value > b.value; };
    std::make_heap(entries.begin(), entries.end(), later);
    while (!entries.empty() && refs_.size() < query_.limit) {
      std::pop_heap(entries.begin(), entries.end(), later);
      entry found = std::move(entries.back());
      entries.pop_back();
      const bool tight = bounded && found.value == cursor_at(at);
      values_[at] = std::move(found.value);
      if (at == id) {
        read_leaf(folder, found.names);
        continue;
      }
      if (auto sub = open_folders(folder, found.names, found.names.size(), false)) {
        walk(sub.get(), at + 1, tight);
      }
    }
  }

  void read_leaf(int folder, const std::vector<std::string>& names) {
    auto sub = open_folders(folder, names, names.size() - 1, false);
    if (!sub) {
      return;
    }
    v1::Scope scope;
    scope.set_tenant(values_[tenant]);
    scope.set_user(values_[user]);
    scope.set_session(values_[session]);
    scope.set_task(values_[task]);
    auto ref = read_sidecar("list", sub.get(), names.back(), scope, values_[ns], values_[id]);
    if (ref && take_(*ref)) {
      refs_.push_back(std::move(*ref));
    }
  }

  const list_query& query_;
  const ref_filter& take_;
  std::array<std::string, level_count> values_;
  std::vector<v1::ArtifactRef> refs_;
};

}  // namespace

std::vector<v1::ArtifactRef> list_refs(int folder, const list_query& query,
                                       const ref_filter& take) {
  if (query.limit == 0) {
    return {};
  }
  return walker(query, take).run(folder);
}

}  // namespace artifacts::fs
