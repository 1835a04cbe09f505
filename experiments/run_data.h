// run_data.h - the three image sets of a run, as the reference splits them (data/splits.h): the
// training split (59,000 MNIST / 49,000 CIFAR-10 images, or its first `train_limit`), the
// 1000-image validation split the paper's accuracies are measured on, both carved from the
// official training set, and the official test set (which the reference never uses; we report it
// beside). The official training file is read once and split in memory.
#pragma once
#include <memory>
#include <string>

#include "data/dataset.h"
#include "experiments/config.h"

namespace dl::experiments {

struct RunData {
  std::shared_ptr<const data::Dataset> train, val, test;
  std::string root;  // the data root they were read from
};

RunData load_run_data(const RunConfig& cfg);

// The first n images of d (all of them when n == 0 or n >= size).
data::Dataset head_subset(const data::Dataset& d, int64_t n);

// The normalization constants of the network input (for un-normalizing images in grids).
struct Normalization {
  std::vector<float> mean, std;
};
Normalization input_normalization(data::DatasetKind kind);

}  // namespace dl::experiments
