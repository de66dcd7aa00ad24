#include "storage/fs/fs_uploads.hpp"

#include <array>
#include <charconv>

#include "storage/fs/fs_io.hpp"
#include "storage/fs/fs_sidecar.hpp"
#include "storage/sha256.hpp"

namespace artifacts::fs {

namespace {

constexpr std::array<std::string_view, 3> phase_names = {"open", "sealed", "committed"};

// Reads the line "<key> <value>" at the front of `text` and drops it;
// nullopt when the front is not such a line.
std::optional<std::string_view> take_line(std::string_view& text, std::string_view key) {
  const auto end = text.find('\n');
  if (end == std::string_view::npos || text.substr(0, key.size()) != key || end <= key.size() ||
      text[key.size()] != ' ') {
    return std::nullopt;
  }
  auto value = text.substr(key.size() + 1, end - key.size() - 1);
  text.remove_prefix(end + 1);
  return value;
}

template <class Number>
std::optional<Number> number_in(std::optional<std::string_view> text) {
  Number value{};
  if (!text || text->empty()) {
    return std::nullopt;
  }
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc{} || end != text->data() + text->size()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::string upload_folder_name(std::string_view id) {
  return sha256_hex(id);
}

bool is_upload_folder_name(std::string_view name) noexcept {
  return is_sha256_hex(name);
}

std::string render_state(const upload_state& state) {
  std::string text = "expires_at " + std::to_string(state.expires_at) + "\nsize " +
                     std::to_string(state.size_bytes) + "\nphase " +
                     std::string(phase_names[static_cast<size_t>(state.phase)]) + "\n";
  if (state.committed) {
    text += sidecar_json("commit", *state.committed);
  }
  return text;
}

std::optional<upload_state> parse_state(std::string_view text) {
  upload_state state;
  const auto expires_at = number_in<micros>(take_line(text, "expires_at"));
  const auto size = number_in<uint64_t>(take_line(text, "size"));
  const auto phase = take_line(text, "phase");
  if (!expires_at || !size || !phase) {
    return std::nullopt;
  }
  state.expires_at = *expires_at;
  state.size_bytes = *size;
  size_t index = 0;
  while (index < phase_names.size() && phase_names[index] != *phase) {
    ++index;
  }
  if (index == phase_names.size()) {
    return std::nullopt;
  }
  state.phase = static_cast<upload_phase>(index);
  if (state.phase == upload_phase::committed) {
    state.committed = parse_sidecar(text);
    if (!state.committed) {
      return std::nullopt;
    }
  } else if (!text.empty()) {
    return std::nullopt;
  }
  return state;
}

std::optional<upload_state> read_state(int folder) {
  auto text = read_file(folder, upload_state_file);
  if (!text) {
    return std::nullopt;
  }
  return parse_state(*text);
}

void write_state(int folder, const upload_state& state) {
  replace_file(folder, upload_state_file, render_state(state));
  sync(folder);
}

void remove_upload(int uploads, const std::string& name) {
  auto folder = open_folder(uploads, name, false);
  if (!folder) {
    return;
  }
  if (remove_file(folder.get(), upload_state_file)) {
    sync(folder.get());
  }
  // What else is there: the request, the data, and the temporary file of
  // a state replacement a crash interrupted.
  for (const auto& entry : entry_names(folder.get())) {
    remove_file(folder.get(), entry);
  }
  if (remove_empty_folder(uploads, name)) {
    sync(uploads);
  }
}

}  // namespace artifacts::fs
