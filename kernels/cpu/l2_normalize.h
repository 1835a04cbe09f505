// l2_normalize.h - rows of (N, D) divided by max(||row||_2, eps) (torch.nn.functional.normalize).
// Derivation: docs/derivations.md#l2-normalize
#pragma once
#include <cstdint>

namespace dl::cpu {

// out (N, D) = inp / max(norm, eps);  norm (N) = ||inp row||_2 is kept for the backward.
void l2_normalize_forward(float* out, float* norm, const float* inp, int64_t N, int64_t D, float eps);
// With y = out and g = dout, per row (written):
//   norm > eps:  dinp = (g - y (y . g)) / norm     (the Jacobian of x / ||x|| is (I - y y^T) / ||x||)
//   otherwise:   dinp = g / eps                    (the clamp is active: a constant divisor)
void l2_normalize_backward(float* dinp, const float* dout, const float* inp, const float* out, const float* norm,
                           int64_t N, int64_t D, float eps);

}  // namespace dl::cpu
