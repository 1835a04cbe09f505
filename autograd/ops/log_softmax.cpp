// log_softmax.cpp - differentiable row-wise log-softmax of (N, D) (kernels: kernels/{cpu,cuda}/log_softmax.*).
#include "autograd/functions.h"
#include "kernels/cpu/log_softmax.h"
#include "kernels/ref/log_softmax.h"
#include "kernels/cuda/log_softmax.h"
#include "kernels/dispatch.h"

namespace dl {

Tensor log_softmax(const Tensor& x) {
  DL_CHECK(x.defined() && x.ndim() == 2, "log_softmax needs an (N, D) tensor, got ",
           x.defined() ? x.shape().str() : "undefined");
  const int64_t N = x.size(0), D = x.size(1);
  DL_CHECK(D > 0, "log_softmax of ", x.shape().str(), ": rows are empty");
  Tensor out = Tensor::empty(x.shape(), DType::F32, x.device());
  DL_DISPATCH(x.device(), log_softmax_forward, out.data(), x.data(), N, D);
  if (needs_grad({&x})) {
    // The backward needs only the output; y is a detached handle (no reference cycle).
    record("log_softmax", out, {x}, [x, y = out.detach(), N, D](const Tensor& dout) {
      Tensor dx = Tensor::empty(x.shape(), DType::F32, x.device());
      DL_DISPATCH(x.device(), log_softmax_backward, dx.data(), dout.data(), y.data(), N, D);
      accumulate_grad(x, dx);
    });
  }
  return out;
}

}  // namespace dl
