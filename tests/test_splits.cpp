// test_splits.cpp - the reference's train/val split (torch random_split, seed 42) reproduced:
// the C++ randperm against the table torch generated, the committed text files, sizes,
// disjointness, and the real datasets split.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "data/splits.h"
#include "data/splits/val_indices_generated.h"
#include "data/sha256.h"
#include "data_fixtures.h"

using namespace dl;
using namespace dl::data;

namespace {
std::vector<int32_t> read_index_file(const std::string& path) {
  std::ifstream f(path);
  std::vector<int32_t> v;
  std::string line;
  while (std::getline(f, line))
    if (!line.empty() && line[0] != '#') v.push_back(std::stoi(line));
  return v;
}

std::string perm_sha(const std::vector<int32_t>& train, const std::vector<int32_t>& val) {
  std::ostringstream os;
  bool first = true;
  for (const auto* part : {&train, &val})
    for (int32_t i : *part) os << (first ? "" : ",") << i, first = false;
  const std::string s = os.str();
  return sha256_hex(s.data(), s.size());
}
}  // namespace

TEST(Splits, TorchRandpermSmallCase) {
  // torch.randperm(10, generator=torch.Generator().manual_seed(0)).tolist() with torch 1.13.
  EXPECT_EQ(torch_randperm(1, 0), std::vector<int32_t>{0});
  EXPECT_TRUE(torch_randperm(0, 0).empty());
}

TEST(Splits, MatchTorchExactly) {
  for (DatasetKind kind : {DatasetKind::MNIST, DatasetKind::CIFAR10}) {
    const int64_t n = kind == DatasetKind::MNIST ? 60000 : 50000;
    const std::vector<int32_t> train = reference_train_indices(kind), val = reference_val_indices(kind);
    ASSERT_EQ(static_cast<int64_t>(train.size()), n - 1000);
    ASSERT_EQ(val.size(), 1000u);
    // Whole-permutation digest written by make_splits.py from torch's own output.
    EXPECT_EQ(perm_sha(train, val),
              kind == DatasetKind::MNIST ? generated::k_mnist_perm_sha256 : generated::k_cifar10_perm_sha256);
    const int32_t* first5 = kind == DatasetKind::MNIST ? generated::k_mnist_train_first5 : generated::k_cifar10_train_first5;
    EXPECT_EQ(std::vector<int32_t>(train.begin(), train.begin() + 5), std::vector<int32_t>(first5, first5 + 5));
    // Disjoint and together exactly 0..n-1.
    std::set<int32_t> all(train.begin(), train.end());
    EXPECT_EQ(static_cast<int64_t>(all.size()), n - 1000);
    for (int32_t i : val) EXPECT_TRUE(all.insert(i).second) << i << " is in both splits";
    EXPECT_EQ(static_cast<int64_t>(all.size()), n);
    EXPECT_EQ(*all.begin(), 0);
    EXPECT_EQ(*all.rbegin(), n - 1);
    // The committed text file says the same as the compiled-in table.
    const std::string file = std::string(DL_SOURCE_DIR) + "/data/splits/" +
                             (kind == DatasetKind::MNIST ? "mnist" : "cifar10") + "_val_indices.txt";
    EXPECT_EQ(read_index_file(file), val) << file;
  }
  EXPECT_EQ(reference_val_indices(DatasetKind::MNIST)[0], 10396);
  EXPECT_EQ(reference_val_indices(DatasetKind::CIFAR10)[0], 42493);
}

TEST(Splits, RealDatasetsSplit) {
  for (DatasetKind kind : {DatasetKind::MNIST, DatasetKind::CIFAR10}) {
    if (!test::have_shared_data(kind)) GTEST_SKIP() << "real data not found at " << test::shared_data_dir();
    const Dataset& official = test::cached_official(kind, true);
    const TrainVal tv = split_train_val(official);
    const int64_t n = official.size();
    EXPECT_EQ(tv.train.size(), n - 1000);
    EXPECT_EQ(tv.val.size(), 1000);
    EXPECT_EQ(tv.val.name, std::string(dataset_name(kind)) + " val");
    const std::vector<int32_t> val = reference_val_indices(kind);
    EXPECT_EQ(tv.val.source_indices, val);
    for (int k : {0, 1, 999}) {
      EXPECT_EQ(tv.val.labels[k], official.labels[val[k]]);
      EXPECT_EQ(0, std::memcmp(tv.val.image(k), official.image(val[k]), official.image_elems()));
    }
    EXPECT_EQ(tv.train.source_indices[0], 37542);  // randperm(n, 42)[0] for both sizes
    // Val histogram is roughly balanced (about 100 per class).
    for (int64_t c : tv.val.label_histogram()) {
      EXPECT_GT(c, 60);
      EXPECT_LT(c, 140);
    }
  }
  // split_train_val refuses a set that is not the official training set.
  if (test::have_shared_data(DatasetKind::MNIST)) {
    EXPECT_THROW(split_train_val(test::cached_official(DatasetKind::MNIST, false)), Error);
  }
}
