// conv2d.cpp - differentiable 2-d convolution (kernels: kernels/{cpu,cuda}/conv2d.*,
// derivation: docs/conv2d.md).
#include "autograd/functions.h"
#include "kernels/cpu/conv2d.h"
#include "kernels/ref/conv2d.h"
#include "kernels/cuda/conv2d.h"
#include "kernels/dispatch.h"

namespace dl {

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, int stride, int pad) {
  DL_CHECK(x.defined() && weight.defined(), "conv2d: input and weight must be defined");
  DL_CHECK(x.ndim() == 4, "conv2d: input ", x.shape().str(), " should be 4-d (N, C, H, W)");
  DL_CHECK(weight.ndim() == 4, "conv2d: weight ", weight.shape().str(), " should be 4-d (OC, C, KH, KW)");
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t OC = weight.size(0), KH = weight.size(2), KW = weight.size(3);
  DL_CHECK(weight.size(1) == C, "conv2d: input ", x.shape().str(), " has ", C, " channels but weight ",
           weight.shape().str(), " expects ", weight.size(1));
  DL_CHECK(stride >= 1 && pad >= 0, "conv2d: stride ", stride, " must be >= 1 and pad ", pad, " >= 0");
  DL_CHECK(KH >= 1 && KW >= 1 && H + 2 * pad >= KH && W + 2 * pad >= KW, "conv2d: kernel ", KH, "x", KW,
           " of weight ", weight.shape().str(), " is larger than the input ", x.shape().str(), " padded by ",
           pad);
  DL_CHECK(!bias.defined() || bias.shape() == Shape{OC}, "conv2d: bias ",
           bias.defined() ? bias.shape().str() : "", " should be (", OC, ") for weight ", weight.shape().str());
  DL_CHECK_SAME_DEVICE("conv2d", x, weight);
  if (bias.defined()) DL_CHECK_SAME_DEVICE("conv2d", x, bias);
  const int64_t OH = (H + 2 * pad - KH) / stride + 1, OW = (W + 2 * pad - KW) / stride + 1;
  Tensor out = Tensor::empty({N, OC, OH, OW}, DType::F32, x.device());
  DL_DISPATCH(x.device(), conv2d_forward, out.data(), x.data(), weight.data(),
              bias.defined() ? bias.data() : nullptr, N, C, H, W, OC, KH, KW, stride, pad);
  if (needs_grad({&x, &weight, &bias})) {
    record("conv2d", out, {x, weight, bias}, [=](const Tensor& dout) {
      Tensor dx = x.requires_grad() ? Tensor::empty(x.shape(), DType::F32, x.device()) : Tensor();
      DL_DISPATCH(x.device(), conv2d_backward, dx.defined() ? dx.data() : nullptr, grad_buffer(weight),
                  bias.defined() ? grad_buffer(bias) : nullptr, dout.data(), x.data(), weight.data(), N, C, H, W,
                  OC, KH, KW, stride, pad);
      accumulate_grad(x, dx);
    });
  }
  return out;
}

}  // namespace dl
