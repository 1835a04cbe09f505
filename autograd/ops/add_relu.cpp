// add_relu.cpp - relu(a + b) as one differentiable op (kernels: kernels/cpu/add_relu.*): the
// residual join of the ResNet blocks without the intermediate sum tensor. Off the CPU it is the
// composition of add and relu.
#include "autograd/functions.h"
#include "kernels/cpu/add_relu.h"
#include "tensor/error.h"

namespace dl {

Tensor add_relu(const Tensor& a, const Tensor& b) {
  DL_CHECK(a.defined() && b.defined(), "add_relu: undefined operand");
  if (a.device() != Device::CPU || b.device() != Device::CPU) return relu(add(a, b));
  check_same_shape(a, b, "add_relu");
  Tensor out = Tensor::empty(a.shape());
  cpu::add_relu_forward(out.data(), a.data(), b.data(), a.numel());
  if (needs_grad({&a, &b})) {
    // The closure keeps a detached handle on the output (the mask), never the output itself.
    record("add_relu", out, {a, b}, [a, b, y = out.detach()](const Tensor& dout) {
      Tensor g = Tensor::empty(y.shape());
      cpu::add_relu_backward(g.data(), dout.data(), y.data(), y.numel());
      accumulate_grad(a, g);  // a and b may share g: accumulate_grad copies before adding in place
      accumulate_grad(b, g);
    });
  }
  return out;
}

}  // namespace dl
