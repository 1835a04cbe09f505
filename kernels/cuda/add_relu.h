// add_relu.h - CUDA twin of kernels/cpu/add_relu.h (the ResNet blocks' residual join, relu(a + b),
// in one pass): same functions and arguments, device pointers.
//   forward   out = max(a + b, 0)
//   backward  dab = dout [out > 0], written (=): the gradient of both a and b.
// Derivation: docs/derivations.md#elementwise
#pragma once
#include <cstdint>

namespace dl::cuda {

void add_relu_forward(float* out, const float* a, const float* b, int64_t n);
void add_relu_backward(float* dab, const float* dout, const float* out, int64_t n);

}  // namespace dl::cuda
