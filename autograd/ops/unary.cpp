// unary.cpp - differentiable elementwise functions (kernels: kernels/{cpu,cuda}/unary.*).
// The backward closure keeps x and a detached handle on y (same storage, no history), so the
// output's node never owns the output itself (no reference cycle when no backward runs).
#include "autograd/functions.h"
#include "kernels/cpu/unary.h"
#include "kernels/ref/unary.h"
#include "kernels/cuda/unary.h"
#include "kernels/dispatch.h"

namespace dl {

#define DL_UNARY_OP(name)                                                                                 \
  Tensor name(const Tensor& x) {                                                                          \
    DL_CHECK(x.defined(), #name ": undefined input");                                                     \
    Tensor out = Tensor::empty(x.shape(), DType::F32, x.device());                                        \
    DL_DISPATCH(x.device(), name##_forward, out.data(), x.data(), x.numel());                             \
    if (needs_grad({&x})) {                                                                               \
      record(#name, out, {x}, [x, y = out.detach()](const Tensor& dout) {                                 \
        Tensor dx = Tensor::empty(x.shape(), DType::F32, x.device());                                     \
        DL_DISPATCH(x.device(), name##_backward, dx.data(), dout.data(), x.data(), y.data(), x.numel()); \
        accumulate_grad(x, dx);                                                                           \
      });                                                                                                 \
    }                                                                                                     \
    return out;                                                                                           \
  }

DL_UNARY_OP(relu)
DL_UNARY_OP(sigmoid)
DL_UNARY_OP(exp)
DL_UNARY_OP(log)
DL_UNARY_OP(sqrt)
DL_UNARY_OP(square)
DL_UNARY_OP(neg)

#undef DL_UNARY_OP

}  // namespace dl
