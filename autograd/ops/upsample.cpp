// upsample.cpp - differentiable nearest-neighbour x2 upsampling (kernels/{cpu,cuda}/upsample.*).
#include "autograd/functions.h"
#include "kernels/cpu/upsample.h"
#include "kernels/ref/upsample.h"
#include "kernels/cuda/upsample.h"
#include "kernels/dispatch.h"

namespace dl {

Tensor upsample_nearest2x(const Tensor& x) {
  DL_CHECK(x.defined() && x.ndim() == 4, "upsample_nearest2x: input ", x.defined() ? x.shape().str() : "undefined",
           " should be 4-d (N, C, H, W)");
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  Tensor out = Tensor::empty({N, C, 2 * H, 2 * W}, DType::F32, x.device());
  DL_DISPATCH(x.device(), upsample_nearest2x_forward, out.data(), x.data(), N, C, H, W);
  if (needs_grad({&x})) {
    record("upsample_nearest2x", out, {x}, [x, N, C, H, W](const Tensor& dout) {
      Tensor dx = Tensor::empty(x.shape(), DType::F32, x.device());
      DL_DISPATCH(x.device(), upsample_nearest2x_backward, dx.data(), dout.data(), N, C, H, W);
      accumulate_grad(x, dx);
    });
  }
  return out;
}

}  // namespace dl
