// splits.cpp - the reference's train/val split, reproduced bit-exactly (see splits.h).
#include "data/splits.h"

#include <filesystem>
#include <numeric>
#include <random>

#include "data/cifar10.h"
#include "data/data_dir.h"
#include "data/mnist.h"
#include "data/splits/val_indices_generated.h"
#include "tensor/error.h"

namespace dl::data {

const char* split_name(Split s) { return s == Split::Train ? "train" : s == Split::Val ? "val" : "test"; }

std::vector<int32_t> torch_randperm(int64_t n, uint64_t seed) {
  DL_CHECK(n >= 0 && n < (int64_t(1) << 31), "torch_randperm: n = ", n, " out of range");
  // torch's CPUGeneratorImpl is std::mt19937's algorithm with the standard init_genrand seeding;
  // randperm uses 32-bit draws for n < 2^32 / 20 ("for small n, preserve old behavior").
  std::mt19937 mt(static_cast<uint32_t>(seed));
  std::vector<int32_t> r(n);
  std::iota(r.begin(), r.end(), 0);
  for (int64_t i = 0; i + 1 < n; ++i) {
    const int64_t z = static_cast<int64_t>(mt() % static_cast<uint64_t>(n - i));
    std::swap(r[i], r[i + z]);
  }
  return r;
}

namespace {
int64_t official_train_size(DatasetKind kind) { return kind == DatasetKind::MNIST ? 60000 : 50000; }
}  // namespace

std::vector<int32_t> reference_val_indices(DatasetKind kind) {
  const int32_t* v = kind == DatasetKind::MNIST ? generated::k_mnist_val : generated::k_cifar10_val;
  return std::vector<int32_t>(v, v + kValSize);
}

std::vector<int32_t> reference_train_indices(DatasetKind kind) {
  const int64_t n = official_train_size(kind);
  std::vector<int32_t> perm = torch_randperm(n, 42);
  const std::vector<int32_t> val = reference_val_indices(kind);
  // The generated table is the ground truth (made by torch itself): the recomputation must agree.
  DL_CHECK(std::equal(val.begin(), val.end(), perm.end() - kValSize),
           "reference_train_indices: torch_randperm(", n, ", 42) disagrees with the val indices made by torch");
  perm.resize(n - kValSize);
  return perm;
}

TrainVal split_train_val(const Dataset& official) {
  const int64_t n = official_train_size(official.kind);
  DL_CHECK(official.size() == n, "split_train_val: expected the official ", dataset_name(official.kind),
           " training set of ", n, " images, got ", official.name, " with ", official.size());
  const std::string base = dataset_name(official.kind);
  return TrainVal{subset(official, reference_train_indices(official.kind), base + " train"),
                  subset(official, reference_val_indices(official.kind), base + " val")};
}

Dataset load_split(DatasetKind kind, Split split, const std::string& data_root, bool verify_sha256) {
  const std::string dir = (std::filesystem::path(data_root) / dataset_subdir(kind)).string();
  const bool official_train = split != Split::Test;
  Dataset d = kind == DatasetKind::MNIST ? read_mnist(dir, official_train, verify_sha256)
                                         : read_cifar10(dir, official_train, verify_sha256);
  if (split == Split::Test) return d;
  const std::string base = dataset_name(kind);
  if (split == Split::Val) return subset(d, reference_val_indices(kind), base + " val");
  return subset(d, reference_train_indices(kind), base + " train");
}

}  // namespace dl::data
