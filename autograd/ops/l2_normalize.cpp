// l2_normalize.cpp - differentiable row L2 normalization of (N, D) (kernels: kernels/{cpu,cuda}/l2_normalize.*).
#include "autograd/functions.h"
#include "kernels/cpu/l2_normalize.h"
#include "kernels/ref/l2_normalize.h"
#include "kernels/cuda/l2_normalize.h"
#include "kernels/dispatch.h"

namespace dl {

Tensor l2_normalize(const Tensor& x, float eps) {
  DL_CHECK(x.defined() && x.ndim() == 2, "l2_normalize needs an (N, D) tensor, got ",
           x.defined() ? x.shape().str() : "undefined");
  DL_CHECK(eps > 0.0f, "l2_normalize: eps must be positive, got ", eps);
  const int64_t N = x.size(0), D = x.size(1);
  Tensor out = Tensor::empty(x.shape(), DType::F32, x.device());
  Tensor norm = Tensor::empty({N}, DType::F32, x.device());  // per-row ||x||, saved for backward
  DL_DISPATCH(x.device(), l2_normalize_forward, out.data(), norm.data(), x.data(), N, D, eps);
  if (needs_grad({&x})) {
    // y is a detached handle on out: the node must not own its own output (reference cycle).
    record("l2_normalize", out, {x}, [x, y = out.detach(), norm, N, D, eps](const Tensor& dout) {
      Tensor dx = Tensor::empty(x.shape(), DType::F32, x.device());
      DL_DISPATCH(x.device(), l2_normalize_backward, dx.data(), dout.data(), x.data(), y.data(), norm.data(), N, D,
                  eps);
      accumulate_grad(x, dx);
    });
  }
  return out;
}

}  // namespace dl
