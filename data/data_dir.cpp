// data_dir.cpp - the data search order; DL_DATA_SOURCE_DIR (the source tree) is a PRIVATE
// compile definition of dl_data so that executables run from any directory find shared/data.
#include "data/data_dir.h"

#include <cstdlib>
#include <filesystem>

#include "tensor/error.h"

#ifndef DL_DATA_SOURCE_DIR
#define DL_DATA_SOURCE_DIR ""
#endif

namespace dl::data {

const char* dataset_subdir(DatasetKind kind) { return kind == DatasetKind::MNIST ? "mnist" : "cifar10"; }

std::vector<std::string> data_dir_candidates(const std::string& flag_value) {
  if (!flag_value.empty()) return {flag_value};
  std::vector<std::string> c;
  if (const char* env = std::getenv("DL_DATA_DIR"); env && *env) c.push_back(env);
  c.push_back("data");
  c.push_back("../shared/data");
  if (std::string(DL_DATA_SOURCE_DIR).size() > 0) c.push_back(std::string(DL_DATA_SOURCE_DIR) + "/../shared/data");
  return c;
}

std::string find_data_dir(DatasetKind kind, const std::string& flag_value) {
  namespace fs = std::filesystem;
  const std::vector<std::string> candidates = data_dir_candidates(flag_value);
  std::string looked;
  for (const std::string& dir : candidates) {
    std::error_code ec;
    const fs::path sub = fs::path(dir) / dataset_subdir(kind);
    if (fs::is_directory(sub, ec)) return dir;
    looked += "\n  " + sub.string() + (fs::is_directory(dir, ec) ? " (no such directory)" : " (no such data root)");
  }
  DL_FAIL("cannot find the ", (kind == DatasetKind::MNIST ? "MNIST" : "CIFAR10"), " data; looked in:", looked,
          flag_value.empty() ? "\nSet --data-dir or DL_DATA_DIR to the directory holding mnist/ and cifar10/, or "
                               "fetch the data with data/download."
                             : "\n(--data-dir was given, so nothing else was searched)");
}

}  // namespace dl::data
