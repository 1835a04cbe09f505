// checkpoint.h - the whole training state in one safetensors file, written atomically
// (tensor/safetensors.h: temp file + fsync + rename), readable by Python's `safetensors`:
//   tensors:  every model parameter and buffer under its module name ("encoder.conv1.weight",
//             "encoder.bn1.running_mean"), the optimizer's buffers ("optim.exp_avg.<name>", ...)
//             and per-parameter step counts ("optim.step", int32), see nn/optimizer.h;
//   metadata: "format" = "dl-checkpoint-1", "epoch", "step", "rng.<name>.seed" and
//             "rng.<name>.offset" for each generator passed in (decimal uint64), "extra.<key>"
//             for caller values (config, metrics), and "checksum": FNV-1a 64 over every tensor's
//             name, dtype, shape and bytes, so a flipped bit in the data is caught on load.
// Loading checks the checksum, then every name and shape, and names the first that differs.
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "nn/module.h"
#include "nn/optimizer.h"

namespace dl::nn {

struct CheckpointInfo {
  int64_t epoch = 0;  // epochs completed
  int64_t step = 0;   // optimizer steps completed
  std::map<std::string, std::string> extra;
};

using GeneratorList = std::vector<std::pair<std::string, Generator*>>;

// optim may be null (weights only).
void save_checkpoint(const std::string& path, const Module& model, const Optimizer* optim, const CheckpointInfo& info,
                     const GeneratorList& generators = {});

// Restores the model (and the optimizer and generators when given; each generator named in
// `generators` must be in the file) and returns epoch/step/extra. Tensors are copied into the
// existing parameters, on whatever device they are. A missing, truncated or corrupt file, or a
// name/shape mismatch, is a dl::Error naming the file and the tensor.
CheckpointInfo load_checkpoint(const std::string& path, Module& model, Optimizer* optim,
                               const GeneratorList& generators = {});

// The checksum stored in "checksum" (16 hex digits), exposed for tests and tools.
std::string tensors_checksum(const std::vector<std::pair<std::string, Tensor>>& tensors);

}  // namespace dl::nn
