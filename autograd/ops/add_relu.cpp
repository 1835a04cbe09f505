// add_relu.cpp - relu(a + b) as one differentiable op (kernels: kernels/{cpu,cuda}/add_relu.*): the
// residual join of the ResNet blocks without the intermediate sum tensor.
#include "autograd/functions.h"
#include "kernels/cpu/add_relu.h"
#include "kernels/ref/add_relu.h"
#include "kernels/cuda/add_relu.h"
#include "kernels/dispatch.h"
#include "tensor/error.h"

namespace dl {

Tensor add_relu(const Tensor& a, const Tensor& b) {
  DL_CHECK(a.defined() && b.defined(), "add_relu: undefined operand");
  check_same_shape(a, b, "add_relu");
  DL_CHECK(a.dtype() == DType::F32 && b.dtype() == DType::F32, "add_relu: operands must be f32");
  DL_CHECK_SAME_DEVICE("add_relu", a, b);
  Tensor out = Tensor::empty(a.shape(), DType::F32, a.device());
  DL_DISPATCH(a.device(), add_relu_forward, out.data(), a.data(), b.data(), a.numel());
  if (needs_grad({&a, &b})) {
    // The closure keeps a detached handle on the output (the mask), never the output itself.
    record("add_relu", out, {a, b}, [a, b, y = out.detach()](const Tensor& dout) {
      Tensor g = Tensor::empty(y.shape(), DType::F32, y.device());
      DL_DISPATCH(y.device(), add_relu_backward, g.data(), dout.data(), y.data(), y.numel());
      accumulate_grad(a, g);  // a and b may share g: accumulate_grad copies before adding in place
      accumulate_grad(b, g);
    });
  }
  return out;
}

}  // namespace dl
