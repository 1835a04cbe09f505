// step_models.h - what the CPU and CUDA step benchmarks (step_bench.cpp, step_bench_cuda.cpp)
// build their cases from: one parameter list over several modules, the Adam settings of every
// case, and random class labels.
#pragma once
#include <algorithm>
#include <initializer_list>
#include <string>
#include <vector>

#include "nn/adam.h"
#include "nn/module.h"
#include "tensor/tensor.h"

namespace dl::bench {

// The parameters of several modules as one list, names prefixed by the module's position.
inline nn::NamedTensorList params_of(std::initializer_list<const nn::Module*> mods) {
  nn::NamedTensorList all;
  int i = 0;
  for (const auto* m : mods) {
    for (auto& [name, p] : m->named_parameters()) all.emplace_back(std::to_string(i) + "." + name, p);
    ++i;
  }
  return all;
}

inline nn::AdamOptions adam_opts() {
  nn::AdamOptions o;
  o.lr = 3e-4f;
  return o;
}

// n labels uniform in [0, classes), on `device`.
inline Tensor random_labels(int64_t n, int64_t classes, Generator& gen, Device device = Device::CPU) {
  const std::vector<float> u = rand_uniform({n}, 0.0f, static_cast<float>(classes), gen).to_vector();
  std::vector<int32_t> y(n);
  for (int64_t i = 0; i < n; ++i) y[i] = std::min<int32_t>(static_cast<int32_t>(u[i]), classes - 1);
  return from_vector_i32(y, {n}, device);
}

}  // namespace dl::bench
