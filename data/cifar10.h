// cifar10.h - the CIFAR-10 reader: the "binary version" batches (gzipped or not).
//
// Each file is 10,000 records of 3073 bytes: 1 label byte (0..9), then 3072 pixel bytes
// (1024 R, then G, then B, each 32x32 row-major), which is already CHW. Training set:
// data_batch_1..5.bin (50,000 images); test set: test_batch.bin.
#pragma once
#include <string>
#include <vector>

#include "data/dataset.h"

namespace dl::data {

constexpr int kCifarRecordBytes = 1 + 3 * 32 * 32;
constexpr int kCifarRecordsPerBatch = 10000;

// Class names in label order (batches.meta.txt).
const std::vector<std::string>& cifar10_class_names();

// Any number of record files, appended in order. Checks that each holds a whole number of
// records and every label is in [0, 10); expected_records_per_file > 0 also checks the count.
Dataset read_cifar10_files(const std::vector<std::string>& paths, const std::string& name,
                           int64_t expected_records_per_file = 0, bool verify_sha256 = false);

// The official training (50,000) or test (10,000) set from the directory holding the batches.
Dataset read_cifar10(const std::string& cifar_dir, bool train, bool verify_sha256 = false);

}  // namespace dl::data
