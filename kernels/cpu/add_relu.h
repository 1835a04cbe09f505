// add_relu.h - the residual join of the ResNet blocks, relu(a + b), in one pass (n floats).
//   forward   out = max(a + b, 0)
//   backward  g = dout [out > 0], written (=) once: it is the gradient of both a and b.
// The mask comes from the output, as relu's does, so no input needs to be kept.
// Derivation: docs/derivations.md#elementwise
#pragma once
#include <cstdint>

namespace dl::cpu {

void add_relu_forward(float* out, const float* a, const float* b, int64_t n);
void add_relu_backward(float* dab, const float* dout, const float* out, int64_t n);

}  // namespace dl::cpu
