// safetensors.h - named tensors to and from the safetensors format
// (https://github.com/huggingface/safetensors): an 8-byte little-endian header length, a JSON
// header {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
// "__metadata__": {"key": "value"}}, then the raw little-endian bytes. Python's `safetensors`
// opens the files we write; we use it for checkpoints and for the tests' golden values.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace dl {

struct NamedTensors {
  std::vector<std::pair<std::string, Tensor>> tensors;  // in file order
  std::map<std::string, std::string> metadata;

  const Tensor& at(const std::string& name) const;  // error names the file's tensors if missing
  bool contains(const std::string& name) const;
  std::string source;  // the path it was read from, for error messages
};

// Writes atomically: a temporary file in the same folder, fsync, then rename over `path`, so a
// crash leaves either the old file or the new one, never a torn one. A full disk is a clear error.
void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

// Reads every tensor to the CPU. A missing, truncated or malformed file is an error naming the
// path and what is wrong.
NamedTensors read_safetensors(const std::string& path);

}  // namespace dl
