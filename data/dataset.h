// dataset.h - an image classification dataset held in memory as stored on disk: uint8 images
// (N, C, H, W) with CHW order per image (MNIST 1x28x28, CIFAR-10 3x32x32) and int32 labels.
// Readers: data/mnist.h, data/cifar10.h; the reference's train/val/test splits: data/splits.h.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "data/pipeline.h"

namespace dl::data {

struct Dataset {
  DatasetKind kind = DatasetKind::MNIST;
  std::string name;  // for messages, e.g. "MNIST train" or "CIFAR10 val"
  int channels = 0, height = 0, width = 0;
  std::vector<uint8_t> images;        // size() * image_elems() bytes
  std::vector<int32_t> labels;        // size() values in [0, num_classes())
  std::vector<std::string> class_names;
  // Index of each image in the file it came from (the official train or test set): identity for
  // a whole set, the split's indices for a subset. Lets results name the original images.
  std::vector<int32_t> source_indices;

  int64_t size() const { return static_cast<int64_t>(labels.size()); }
  int64_t image_elems() const { return int64_t(channels) * height * width; }
  int num_classes() const { return static_cast<int>(class_names.size()); }
  const uint8_t* image(int64_t i) const { return images.data() + i * image_elems(); }

  // Per-class counts (num_classes() entries).
  std::vector<int64_t> label_histogram() const;
  // dl::Error unless sizes agree and every label is in range.
  void validate() const;
};

// The images at `indices` (positions in `d`), in that order; dl::Error on an index out of range.
Dataset subset(const Dataset& d, const std::vector<int32_t>& indices, const std::string& name);

const char* dataset_name(DatasetKind kind);  // "MNIST" / "CIFAR10"

}  // namespace dl::data
