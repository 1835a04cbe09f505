// run_data.cpp - see run_data.h.
#include "experiments/run_data.h"

#include <numeric>

#include "data/cifar10.h"
#include "data/data_dir.h"
#include "data/mnist.h"
#include "data/splits.h"
#include "data/transforms.h"

namespace dl::experiments {

data::Dataset head_subset(const data::Dataset& d, int64_t n) {
  if (n <= 0 || n >= d.size()) return d;
  std::vector<int32_t> idx(static_cast<size_t>(n));
  std::iota(idx.begin(), idx.end(), 0);
  return data::subset(d, idx, d.name + " (first " + std::to_string(n) + ")");
}

RunData load_run_data(const RunConfig& cfg) {
  const data::DatasetKind kind = cfg.dataset_enum();
  RunData r;
  r.root = data::find_data_dir(kind, cfg.data_dir);
  const std::string dir = r.root + "/" + data::dataset_subdir(kind);
  const bool mnist = kind == data::DatasetKind::MNIST;
  data::Dataset official_train = mnist ? data::read_mnist(dir, true) : data::read_cifar10(dir, true);
  data::TrainVal tv = data::split_train_val(official_train);
  r.train = std::make_shared<const data::Dataset>(head_subset(tv.train, cfg.train_limit));
  r.val = std::make_shared<const data::Dataset>(std::move(tv.val));
  r.test = std::make_shared<const data::Dataset>(mnist ? data::read_mnist(dir, false) : data::read_cifar10(dir, false));
  return r;
}

Normalization input_normalization(data::DatasetKind kind) {
  const int c = kind == data::DatasetKind::MNIST ? 1 : 3;  // MNIST is normalized before the 3x repeat
  const float *m = data::dataset_mean(kind), *s = data::dataset_std(kind);
  return {std::vector<float>(m, m + c), std::vector<float>(s, s + c)};
}

}  // namespace dl::experiments
