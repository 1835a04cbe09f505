// layers.cpp - see layers.h.
#include "nn/layers.h"

#include <cmath>

#include "tensor/error.h"

namespace dl::nn {

// PyTorch's kaiming_uniform_(w, a=sqrt(5)) and its bias rule both reduce to U(-b, b), b = 1/sqrt(fan_in).
static Tensor uniform_init(const Shape& shape, int64_t fan_in, Generator& gen) {
  const float bound = fan_in > 0 ? 1.0f / std::sqrt(static_cast<float>(fan_in)) : 0.0f;
  return rand_uniform(shape, -bound, bound, gen);
}

Linear::Linear(int64_t in_features, int64_t out_features, bool with_bias, Generator& gen) {
  DL_CHECK(in_features > 0 && out_features > 0, "Linear(", in_features, ", ", out_features, "): sizes must be positive");
  weight = uniform_init({out_features, in_features}, in_features, gen);
  register_parameter("weight", &weight);
  if (with_bias) {
    bias = uniform_init({out_features}, in_features, gen);
    register_parameter("bias", &bias);
  }
}

Tensor Linear::forward(const Tensor& x) { return linear(x, weight, bias); }

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, int kernel_size, int stride_, int padding_, bool with_bias,
               Generator& gen)
    : stride(stride_), padding(padding_) {
  DL_CHECK(in_channels > 0 && out_channels > 0 && kernel_size > 0 && stride > 0 && padding >= 0, "Conv2d(",
           in_channels, ", ", out_channels, ", k=", kernel_size, ", s=", stride, ", p=", padding, "): bad arguments");
  const int64_t fan_in = in_channels * kernel_size * kernel_size;
  weight = uniform_init({out_channels, in_channels, kernel_size, kernel_size}, fan_in, gen);
  register_parameter("weight", &weight);
  if (with_bias) {
    bias = uniform_init({out_channels}, fan_in, gen);
    register_parameter("bias", &bias);
  }
}

Tensor Conv2d::forward(const Tensor& x) { return conv2d(x, weight, bias, stride, padding); }

BatchNorm::BatchNorm(int64_t num_features, int input_ndim_, float eps_, float momentum_)
    : eps(eps_), momentum(momentum_), input_ndim(input_ndim_) {
  DL_CHECK(num_features > 0, "BatchNorm(", num_features, "): size must be positive");
  DL_CHECK(eps > 0, "BatchNorm: eps must be positive, got ", eps);
  weight = ones({num_features});
  bias = zeros({num_features});
  running_mean = zeros({num_features});
  running_var = ones({num_features});
  register_parameter("weight", &weight);
  register_parameter("bias", &bias);
  register_buffer("running_mean", &running_mean);
  register_buffer("running_var", &running_var);
}

Tensor BatchNorm::forward(const Tensor& x) {
  DL_CHECK(x.ndim() == input_ndim, "BatchNorm", input_ndim == 2 ? "1d" : "2d", " expects a ", input_ndim,
           "-d input, got ", x.shape().str());
  return batchnorm(x, weight, bias, running_mean, running_var, is_training(), momentum, eps);
}

Tensor BatchNorm::forward_relu(const Tensor& x) {
  DL_CHECK(x.ndim() == input_ndim, "BatchNorm", input_ndim == 2 ? "1d" : "2d", " expects a ", input_ndim,
           "-d input, got ", x.shape().str());
  return batchnorm_relu(x, weight, bias, running_mean, running_var, is_training(), momentum, eps);
}

Sequential::Sequential(std::initializer_list<std::shared_ptr<Module>> modules) {
  for (const auto& m : modules) push_back(m);
}

void Sequential::push_back(std::shared_ptr<Module> m) {
  register_module(std::to_string(layers_.size()), m);
  layers_.push_back(std::move(m));
}

Tensor Sequential::forward(const Tensor& x) {
  Tensor y = x;
  for (auto& m : layers_) y = m->forward(y);
  return y;
}

}  // namespace dl::nn
