#include "storage/fs/fs_driver.hpp"

#include "storage/dsn.hpp"
#include "storage/fs/fs_backend.hpp"
#include "storage/fs/fs_guard.hpp"
#include "storage/fs/fs_tree.hpp"

namespace artifacts {

namespace {

class fs_driver final : public driver {
 public:
  fs_driver(const storage_options& options, const std::string& location) : options_(options) {
    fs::guarded("open",
                [&] { root_ = std::make_shared<fs::tree>(location, options_.statement_timeout); });
  }

  std::string_view name() const noexcept override { return driver_kind_name(driver_kind::fs); }

  std::unique_ptr<backend> open_backend() override {
    return fs::make_fs_backend(root_, options_.clock);
  }

  const storage_options& options() const noexcept override { return options_; }

 private:
  storage_options options_;
  std::shared_ptr<fs::tree> root_;
};

}  // namespace

std::shared_ptr<driver> make_fs_driver(const storage_options& options,
                                       const std::string& location) {
  return std::make_shared<fs_driver>(options, location);
}

}  // namespace artifacts
