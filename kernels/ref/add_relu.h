// add_relu.h - the plain residual join relu(a + b) of the ResNet blocks and its gradient.
// Fast twin: kernels/cpu/add_relu.h (same arguments).
// Derivation: docs/derivations.md#elementwise
#pragma once
#include <cstdint>

namespace dl::ref {

// out (n) = max(a + b, 0); a NaN sum stays NaN (as std::max(NaN, 0) in the fast twin).
void add_relu_forward(float* out, const float* a, const float* b, int64_t n);
// dab (n) = dout where out > 0, else 0 (written once: it is the gradient of both a and b).
void add_relu_backward(float* dab, const float* dout, const float* out, int64_t n);

}  // namespace dl::ref
