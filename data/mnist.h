// mnist.h - the MNIST reader: IDX files (gzipped or not), as distributed by LeCun et al.
//
// IDX: a big-endian header, magic 2051 (images: 0x00000803, then N, rows, cols) or 2049
// (labels: 0x00000801, then N), then uint8 data. Files: train-images-idx3-ubyte(.gz),
// train-labels-idx1-ubyte(.gz), t10k-images-idx3-ubyte(.gz), t10k-labels-idx1-ubyte(.gz).
#pragma once
#include <string>

#include "data/dataset.h"

namespace dl::data {

constexpr uint32_t kIdxImagesMagic = 2051, kIdxLabelsMagic = 2049;

// One pair of IDX files -> a Dataset of 1x28x28 images with labels 0..9. Checks the magic
// numbers, 28x28 images, equal counts, label range and exact file sizes (no trailing bytes).
// verify_sha256: also compare the decompressed contents with the known official checksums
// (only for the four official file names; others are not checked).
Dataset read_mnist_files(const std::string& images_path, const std::string& labels_path, const std::string& name,
                         bool verify_sha256 = false);

// The official training (60,000) or test (10,000) set from a directory holding the four files.
Dataset read_mnist(const std::string& mnist_dir, bool train, bool verify_sha256 = false);

}  // namespace dl::data
