// l2_normalize.cpp - see l2_normalize.h.
#include "kernels/ref/l2_normalize.h"

#include <algorithm>
#include <cmath>

namespace dl::ref {

// Per row n of x (N, D):  norm_n = sqrt(sum_j x_nj^2) (sum in double),  y_nj = x_nj / max(norm_n, eps).
void l2_normalize_forward(float* out, float* norm, const float* inp, int64_t N, int64_t D, float eps) {
  for (int64_t n = 0; n < N; ++n) {
    double sum_sq = 0.0;
    for (int64_t j = 0; j < D; ++j) sum_sq += static_cast<double>(inp[n * D + j]) * inp[n * D + j];
    norm[n] = static_cast<float>(std::sqrt(sum_sq));
    const float denom = std::max(norm[n], eps);
    for (int64_t j = 0; j < D; ++j) out[n * D + j] = inp[n * D + j] / denom;
  }
}

// Per row n, with y = out and g = dout (N, D):
//   norm_n > eps:  dx_nj = (g_nj - y_nj (sum_k y_nk g_nk)) / norm_n   (Jacobian (I - y y^T) / ||x||)
//   otherwise:     dx_nj = g_nj / eps                                 (the clamped divisor is constant)
// The dot product is accumulated in double.
void l2_normalize_backward(float* dinp, const float* dout, const float* /*inp*/, const float* out,
                           const float* norm, int64_t N, int64_t D, float eps) {
  if (!dinp) return;
  for (int64_t n = 0; n < N; ++n) {
    const float* y = out + n * D;
    const float* g = dout + n * D;
    if (norm[n] > eps) {
      double dot = 0.0;
      for (int64_t k = 0; k < D; ++k) dot += static_cast<double>(y[k]) * g[k];
      const float y_dot_g = static_cast<float>(dot);
      for (int64_t j = 0; j < D; ++j) dinp[n * D + j] = (g[j] - y[j] * y_dot_g) / norm[n];
    } else {
      for (int64_t j = 0; j < D; ++j) dinp[n * D + j] = g[j] / eps;
    }
  }
}

}  // namespace dl::ref
