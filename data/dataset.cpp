// dataset.cpp - Dataset helpers: validation, histograms, subsets.
#include "data/dataset.h"

#include <cstring>

#include "tensor/error.h"

namespace dl::data {

const char* dataset_name(DatasetKind kind) { return kind == DatasetKind::MNIST ? "MNIST" : "CIFAR10"; }

std::vector<int64_t> Dataset::label_histogram() const {
  std::vector<int64_t> h(class_names.size(), 0);
  for (int32_t l : labels) {
    DL_CHECK(l >= 0 && l < num_classes(), name, ": label ", l, " outside [0, ", num_classes(), ")");
    ++h[l];
  }
  return h;
}

void Dataset::validate() const {
  DL_CHECK(channels > 0 && height > 0 && width > 0, name, ": bad image shape ", channels, "x", height, "x", width);
  DL_CHECK(static_cast<int64_t>(images.size()) == size() * image_elems(), name, ": ", images.size(),
           " image bytes for ", size(), " labels of ", channels, "x", height, "x", width, " images (expected ",
           size() * image_elems(), ")");
  DL_CHECK(source_indices.size() == labels.size(), name, ": ", source_indices.size(), " source indices for ",
           labels.size(), " labels");
  label_histogram();  // checks the range
}

Dataset subset(const Dataset& d, const std::vector<int32_t>& indices, const std::string& name) {
  Dataset out;
  out.kind = d.kind, out.name = name;
  out.channels = d.channels, out.height = d.height, out.width = d.width;
  out.class_names = d.class_names;
  const int64_t e = d.image_elems();
  out.images.resize(indices.size() * e);
  out.labels.resize(indices.size());
  out.source_indices.resize(indices.size());
  for (size_t k = 0; k < indices.size(); ++k) {
    const int32_t i = indices[k];
    DL_CHECK(i >= 0 && i < d.size(), name, ": index ", i, " (position ", k, ") outside ", d.name, " of size ",
             d.size());
    std::memcpy(out.images.data() + k * e, d.image(i), e);
    out.labels[k] = d.labels[i];
    out.source_indices[k] = d.source_indices[i];
  }
  return out;
}

}  // namespace dl::data
