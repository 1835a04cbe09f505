// avgpool.cpp - differentiable global average pooling (kernels/{cpu,cuda}/avgpool.*).
#include "autograd/functions.h"
#include "kernels/cpu/avgpool.h"
#include "kernels/ref/avgpool.h"
#include "kernels/cuda/avgpool.h"
#include "kernels/dispatch.h"

namespace dl {

Tensor global_avg_pool(const Tensor& x) {
  DL_CHECK(x.defined() && x.ndim() == 4, "global_avg_pool: input ", x.defined() ? x.shape().str() : "undefined",
           " should be 4-d (N, C, H, W)");
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  DL_CHECK(H * W > 0, "global_avg_pool: input ", x.shape().str(), " has no pixels to average");
  Tensor out = Tensor::empty({N, C}, DType::F32, x.device());
  DL_DISPATCH(x.device(), global_avg_pool_forward, out.data(), x.data(), N, C, H, W);
  if (needs_grad({&x})) {
    record("global_avg_pool", out, {x}, [x, N, C, H, W](const Tensor& dout) {
      Tensor dx = Tensor::empty(x.shape(), DType::F32, x.device());
      DL_DISPATCH(x.device(), global_avg_pool_backward, dx.data(), dout.data(), N, C, H, W);
      accumulate_grad(x, dx);
    });
  }
  return out;
}

}  // namespace dl
