// data_fixtures.h - shared helpers for the data tests: where the real data is (the shared/
// directory beside the repository, as on CI), a once-per-binary cache of the parsed datasets
// (reading all of CIFAR-10 takes seconds), and writers for small test files.
#pragma once
#include <gtest/gtest.h>
#include <zlib.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "data/cifar10.h"
#include "data/mnist.h"
#include "tensor/error.h"

namespace dl::test {

// $DL_DATA_DIR if set, else shared/data beside the repository (<repo>/../shared/data, as in CI),
// else two levels up (<repo>/../../shared/data, for a git worktree one folder below).
inline std::string shared_data_dir() {
  static const std::string dir = [] {
    if (const char* env = std::getenv("DL_DATA_DIR"); env && *env) return std::string(env);
    const std::string beside = std::string(DL_SOURCE_DIR) + "/../shared/data";
    const std::string above = std::string(DL_SOURCE_DIR) + "/../../shared/data";
    return std::filesystem::is_directory(beside) || !std::filesystem::is_directory(above) ? beside : above;
  }();
  return dir;
}

inline bool have_shared_data(data::DatasetKind kind) {
  return std::filesystem::is_directory(shared_data_dir() + (kind == data::DatasetKind::MNIST ? "/mnist" : "/cifar10"));
}

#define DL_REQUIRE_SHARED_DATA(kind)                                                                        \
  do {                                                                                                      \
    if (!::dl::test::have_shared_data(kind))                                                                \
      GTEST_SKIP() << "real data not found at " << ::dl::test::shared_data_dir() << " (shared/ beside the repo)"; \
  } while (0)

// The official train (train=true) or test set, parsed at most once per test binary.
inline const data::Dataset& cached_official(data::DatasetKind kind, bool train) {
  static std::mutex mu;
  static std::map<std::pair<int, bool>, std::unique_ptr<data::Dataset>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = cache[{static_cast<int>(kind), train}];
  if (!slot) {
    const std::string root = shared_data_dir();
    slot = std::make_unique<data::Dataset>(kind == data::DatasetKind::MNIST ? data::read_mnist(root + "/mnist", train)
                                                                          : data::read_cifar10(root + "/cifar10", train));
  }
  return *slot;
}

// A fresh scratch directory under the system temp dir, removed by the destructor.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("dl_data_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
  static int& counter() {
    static int c = 0;
    return c;
  }
};

inline void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline void write_gz(const std::string& path, const std::vector<uint8_t>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  gzclose(f);
}

inline void put_be32(std::vector<uint8_t>& b, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
}

// IDX images: magic, n, rows, cols, then pixel k of image i = (i * 7 + k) & 255.
inline std::vector<uint8_t> idx_images(uint32_t n, uint32_t rows = 28, uint32_t cols = 28, uint32_t magic = 2051) {
  std::vector<uint8_t> b;
  put_be32(b, magic), put_be32(b, n), put_be32(b, rows), put_be32(b, cols);
  for (uint32_t i = 0; i < n; ++i)
    for (uint32_t k = 0; k < rows * cols; ++k) b.push_back(static_cast<uint8_t>((i * 7 + k) & 255));
  return b;
}

inline std::vector<uint8_t> idx_labels(const std::vector<uint8_t>& labels, uint32_t magic = 2049) {
  std::vector<uint8_t> b;
  put_be32(b, magic), put_be32(b, static_cast<uint32_t>(labels.size()));
  b.insert(b.end(), labels.begin(), labels.end());
  return b;
}

inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace dl::test
