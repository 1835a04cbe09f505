// l2_normalize.h - plain row normalization of (N, D): rows divided by max(||row||_2, eps)
// (torch.nn.functional.normalize). Fast twin: kernels/cpu/l2_normalize.h (same arguments).
// Derivation: docs/derivations.md#l2-normalize
#pragma once
#include <cstdint>

namespace dl::ref {

// out (N, D) = inp / max(norm, eps);  norm (N) = ||inp row||_2, kept for the backward.
void l2_normalize_forward(float* out, float* norm, const float* inp, int64_t N, int64_t D, float eps);
// dinp (N, D) written (=); null dinp is skipped. With y = out, g = dout, per row:
//   norm > eps:  dinp = (g - y (y . g)) / norm;   otherwise  dinp = g / eps.
void l2_normalize_backward(float* dinp, const float* dout, const float* inp, const float* out, const float* norm,
                           int64_t N, int64_t D, float eps);

}  // namespace dl::ref
