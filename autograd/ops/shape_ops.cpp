// shape_ops.cpp - differentiable views and column slices. reshape/flatten move no data.
#include "autograd/functions.h"
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
  DL_CHECK(x.ndim() == 2, "narrow_cols needs an (N, D) tensor, got ", x.shape().str());
  const int64_t N = x.size(0), D = x.size(1), w = end - begin;
  DL_CHECK(0 <= begin && begin <= end && end <= D, "narrow_cols [", begin, ", ", end, ") out of range for ",
           x.shape().str());
  DL_CHECK(x.device() == Device::CPU || w == D, "narrow_cols on CUDA is not implemented yet");
  Tensor out = Tensor::empty({N, w}, DType::F32, x.device());
  // A strided row copy; tiny next to the GEMMs around it.
  const float* src = x.data();
  float* dst = out.data();
  for (int64_t n = 0; n < N; ++n)
    for (int64_t j = 0; j < w; ++j) dst[n * w + j] = src[n * D + begin + j];
  if (needs_grad({&x})) {
    record("narrow_cols", out, {x}, [x, N, D, begin, w](const Tensor& dout) {
      Tensor dx = zeros(x.shape(), x.device());
      float* g = dx.data();
      const float* d = dout.data();
      for (int64_t n = 0; n < N; ++n)
        for (int64_t j = 0; j < w; ++j) g[n * D + begin + j] = d[n * w + j];
      accumulate_grad(x, dx);
    });
  }
  return out;
}

}  // namespace dl
