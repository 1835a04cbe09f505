// shape_ops.cpp - differentiable views and column slices. reshape/flatten move no data.
#include "autograd/functions.h"
#include "kernels/cpu/narrow_cols.h"
#include "kernels/ref/narrow_cols.h"
#include "kernels/cuda/narrow_cols.h"
#include "kernels/dispatch.h"
#include "tensor/error.h"

namespace dl {

Tensor reshape(const Tensor& x, const Shape& shape) {
  Tensor out = x.view(shape);
  if (needs_grad({&x})) {
    const Shape in_shape = x.shape();
    record("reshape", out, {x}, [x, in_shape](const Tensor& dout) { accumulate_grad(x, dout.view(in_shape)); });
  }
  return out;
}

Tensor flatten(const Tensor& x) {
  DL_CHECK(x.ndim() >= 1, "flatten of a 0-d tensor");
  const int64_t n = x.size(0);
  return reshape(x, {n, n ? x.numel() / n : 0});
}

Tensor narrow_cols(const Tensor& x, int64_t begin, int64_t end) {
  DL_CHECK(x.defined() && x.ndim() == 2 && x.dtype() == DType::F32, "narrow_cols needs an (N, D) f32 tensor, got ",
           x.defined() ? x.shape().str() : "undefined");
  const int64_t N = x.size(0), D = x.size(1), w = end - begin;
  DL_CHECK(0 <= begin && begin <= end && end <= D, "narrow_cols [", begin, ", ", end, ") out of range for ",
           x.shape().str());
  Tensor out = Tensor::empty({N, w}, DType::F32, x.device());
  DL_DISPATCH(x.device(), narrow_cols_forward, out.data(), x.data(), N, D, begin, w);
  if (needs_grad({&x})) {
    record("narrow_cols", out, {x}, [x, N, D, begin, w](const Tensor& dout) {
      Tensor dx = Tensor::empty(x.shape(), DType::F32, x.device());
      DL_DISPATCH(x.device(), narrow_cols_backward, dx.data(), dout.data(), N, D, begin, w);
      accumulate_grad(x, dx);
    });
  }
  return out;
}

}  // namespace dl
