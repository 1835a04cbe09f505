// batchnorm.cpp - differentiable batch normalization (kernels: kernels/{cpu,cuda}/batchnorm.*).
// The forward saves the per-channel mean and rstd it normalized with (batch stats in training,
// running stats in eval) so the backward is one fused pass; see docs/batchnorm.md.
#include "autograd/functions.h"
#include "kernels/cpu/batchnorm.h"
#include "kernels/ref/batchnorm.h"
#include "kernels/cuda/batchnorm.h"
#include "kernels/dispatch.h"

namespace dl {

static void check_channel_vector(const Tensor& t, const char* what, const Tensor& x, int64_t C) {
  DL_CHECK(t.shape() == Shape{C} && t.dtype() == DType::F32, "batchnorm: ", what, " ", t.shape().str(), " ",
           dtype_name(t.dtype()), " should be (", C, ",) f32 for input ", x.shape().str());
  DL_CHECK(t.device() == x.device(), "batchnorm: ", what, " on ", device_name(t.device()), " but input on ",
           device_name(x.device()));
}

// Checks the arguments; returns S (H W, or 1 for (N, C)).
static int64_t check_batchnorm_args(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                                    const Tensor& running_var, bool training, float eps) {
  DL_CHECK(x.defined() && (x.ndim() == 2 || x.ndim() == 4) && x.dtype() == DType::F32,
           "batchnorm: input must be (N, C) or (N, C, H, W) f32, got ", x.defined() ? x.shape().str() : "undefined");
  const int64_t N = x.size(0), C = x.size(1), S = x.ndim() == 4 ? x.size(2) * x.size(3) : 1;
  if (weight.defined()) check_channel_vector(weight, "weight", x, C);
  if (bias.defined()) check_channel_vector(bias, "bias", x, C);
  if (running_mean.defined()) check_channel_vector(running_mean, "running_mean", x, C);
  if (running_var.defined()) check_channel_vector(running_var, "running_var", x, C);
  DL_CHECK(eps >= 0.0f, "batchnorm: eps must be >= 0, got ", eps);
  if (training) {
    DL_CHECK(N * S > 1, "batchnorm: training needs more than 1 value per channel, got input ", x.shape().str());
  } else {
    DL_CHECK(running_mean.defined() && running_var.defined(),
             "batchnorm: eval mode needs running_mean and running_var (input ", x.shape().str(), ")");
  }
  return S;
}

Tensor batchnorm(const Tensor& x, const Tensor& weight, const Tensor& bias, Tensor& running_mean,
                 Tensor& running_var, bool training, float momentum, float eps) {
  const int64_t S = check_batchnorm_args(x, weight, bias, running_mean, running_var, training, eps);
  const int64_t N = x.size(0), C = x.size(1);
  Tensor out = Tensor::empty(x.shape(), DType::F32, x.device());
  Tensor mean = Tensor::empty({C}, DType::F32, x.device()), rstd = Tensor::empty({C}, DType::F32, x.device());
  auto ptr = [](const Tensor& t) { return t.defined() ? const_cast<float*>(t.data()) : nullptr; };
  DL_DISPATCH(x.device(), batchnorm_forward, out.data(), mean.data(), rstd.data(),
              ptr(running_mean), ptr(running_var),  // updated in training, read in eval
              x.data(), ptr(weight), ptr(bias), N, C, S, training, momentum, eps);
  if (needs_grad({&x, &weight, &bias})) {
    record("batchnorm", out, {x, weight, bias},
           [x, weight, bias, mean, rstd, N, C, S, training](const Tensor& dout) {
             Tensor dx = x.requires_grad() ? Tensor::empty(x.shape(), DType::F32, x.device()) : Tensor();
             DL_DISPATCH(x.device(), batchnorm_backward, dx.defined() ? dx.data() : nullptr, grad_buffer(weight),
                         grad_buffer(bias), dout.data(), x.data(), weight.defined() ? weight.data() : nullptr,
                         mean.data(), rstd.data(), N, C, S, training);
             accumulate_grad(x, dx);
           });
  }
  return out;
}

Tensor batchnorm_relu(const Tensor& x, const Tensor& weight, const Tensor& bias, Tensor& running_mean,
                      Tensor& running_var, bool training, float momentum, float eps) {
  const int64_t S = check_batchnorm_args(x, weight, bias, running_mean, running_var, training, eps);
  const int64_t N = x.size(0), C = x.size(1);
  Tensor out = Tensor::empty(x.shape(), DType::F32, x.device());
  Tensor mean = Tensor::empty({C}, DType::F32, x.device()), rstd = Tensor::empty({C}, DType::F32, x.device());
  auto ptr = [](const Tensor& t) { return t.defined() ? const_cast<float*>(t.data()) : nullptr; };
  DL_DISPATCH(x.device(), batchnorm_relu_forward, out.data(), mean.data(), rstd.data(), ptr(running_mean),
              ptr(running_var), x.data(), ptr(weight), ptr(bias), N, C, S, training, momentum, eps);
  if (needs_grad({&x, &weight, &bias})) {
    record("batchnorm_relu", out, {x, weight, bias},
           [x, weight, bias, mean, rstd, N, C, S, training](const Tensor& dout) {
             Tensor dx = x.requires_grad() ? Tensor::empty(x.shape(), DType::F32, x.device()) : Tensor();
             DL_DISPATCH(x.device(), batchnorm_relu_backward, dx.defined() ? dx.data() : nullptr,
                         grad_buffer(weight), grad_buffer(bias), dout.data(), x.data(),
                         weight.defined() ? weight.data() : nullptr, bias.defined() ? bias.data() : nullptr,
                         mean.data(), rstd.data(), N, C, S, training);
             accumulate_grad(x, dx);
           });
  }
  return out;
}

}  // namespace dl
