// layers.h - the building blocks, with PyTorch's parameter names and default initialization:
//   Linear, Conv2d: weight ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (kaiming_uniform_ with a = sqrt(5):
//     gain sqrt(2 / (1 + 5)), bound = gain * sqrt(3 / fan_in) = 1 / sqrt(fan_in)),
//     bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)); fan_in = in_features or C * KH * KW.
//     The weight is drawn first, then the bias, from the generator passed in.
//   BatchNorm1d/2d: weight 1, bias 0, running_mean 0, running_var 1.
// Stateless layers (ReLU, Upsample, AdaptiveAvgPool, Flatten) exist so that containers can name
// their children as PyTorch does ("conv2.1.weight" after an Upsample at index 0).
#pragma once
#include <initializer_list>

#include "nn/module.h"

namespace dl::nn {

class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true, Generator& gen = default_generator());
  Tensor forward(const Tensor& x) override;  // (N, in) -> (N, out)
  Tensor weight;                             // (out, in)
  Tensor bias;                               // (out) or undefined
};

class Conv2d : public Module {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, int kernel_size, int stride = 1, int padding = 0,
         bool bias = true, Generator& gen = default_generator());
  Tensor forward(const Tensor& x) override;  // (N, C, H, W) -> (N, OC, H', W')
  Tensor weight;                             // (OC, C, K, K)
  Tensor bias;                               // (OC) or undefined
  int stride, padding;
};

// One class for both: BatchNorm1d takes (N, C), BatchNorm2d (N, C, H, W).
class BatchNorm : public Module {
 public:
  BatchNorm(int64_t num_features, int input_ndim, float eps, float momentum);
  Tensor forward(const Tensor& x) override;
  Tensor forward_relu(const Tensor& x);  // relu(forward(x)), fused on the CPU (one pass, no extra activation)
  Tensor weight, bias;               // (C), learned
  Tensor running_mean, running_var;  // (C), buffers
  float eps, momentum;
  int input_ndim;
};
class BatchNorm1d : public BatchNorm {
 public:
  explicit BatchNorm1d(int64_t num_features, float eps = 1e-5f, float momentum = 0.1f)
      : BatchNorm(num_features, 2, eps, momentum) {}
};
class BatchNorm2d : public BatchNorm {
 public:
  explicit BatchNorm2d(int64_t num_features, float eps = 1e-5f, float momentum = 0.1f)
      : BatchNorm(num_features, 4, eps, momentum) {}
};

class ReLU : public Module {
 public:
  Tensor forward(const Tensor& x) override { return relu(x); }
};

// Nearest-neighbour upsampling by 2 (pl_bolts' Interpolate(scale_factor=2)).
class Upsample : public Module {
 public:
  Tensor forward(const Tensor& x) override { return upsample_nearest2x(x); }
};

// AdaptiveAvgPool2d(1) followed by flatten: (N, C, H, W) -> (N, C).
class AdaptiveAvgPool : public Module {
 public:
  Tensor forward(const Tensor& x) override { return global_avg_pool(x); }
};

class Flatten : public Module {
 public:
  Tensor forward(const Tensor& x) override { return flatten(x); }
};

// Children named "0", "1", ... applied in order.
class Sequential : public Module {
 public:
  Sequential() = default;
  Sequential(std::initializer_list<std::shared_ptr<Module>> modules);
  void push_back(std::shared_ptr<Module> m);
  Tensor forward(const Tensor& x) override;
  size_t size() const { return layers_.size(); }
  Module& operator[](size_t i) const { return *layers_.at(i); }

 private:
  std::vector<std::shared_ptr<Module>> layers_;
};

}  // namespace dl::nn
