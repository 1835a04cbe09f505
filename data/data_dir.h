// data_dir.h - where the data lives. The data root is a directory holding mnist/ (the four IDX
// files) and/or cifar10/ (the binary batches), as laid out by data/download and shared/data.
#pragma once
#include <string>
#include <vector>

#include "data/pipeline.h"

namespace dl::data {

// The places searched, in order: the --data-dir flag value (if non-empty it is the ONLY
// candidate: a mistyped flag must not silently pick other data), else $DL_DATA_DIR, ./data,
// ../shared/data (relative to the current directory) and <source dir>/../shared/data.
std::vector<std::string> data_dir_candidates(const std::string& flag_value = "");

// The first candidate containing the subdirectory for `kind` ("mnist" or "cifar10");
// dl::Error listing every place looked otherwise.
std::string find_data_dir(DatasetKind kind, const std::string& flag_value = "");

const char* dataset_subdir(DatasetKind kind);  // "mnist" / "cifar10"

}  // namespace dl::data
