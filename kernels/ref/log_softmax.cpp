// log_softmax.cpp - see log_softmax.h.
#include "kernels/ref/log_softmax.h"

#include <algorithm>
#include <cmath>

namespace dl::ref {

// Per row n of x (N, D):  m = max_j x_j,  y_j = (x_j - m) - log sum_k exp(x_k - m).
// Subtracting m first means no exp of a positive number; the sum is accumulated in double.
void log_softmax_forward(float* out, const float* inp, int64_t N, int64_t D) {
  for (int64_t n = 0; n < N; ++n) {
    const float* x = inp + n * D;
    float m = -INFINITY;
    for (int64_t j = 0; j < D; ++j) m = std::max(m, x[j]);
    double sum_exp = 0.0;
    for (int64_t k = 0; k < D; ++k) sum_exp += std::exp(static_cast<double>(x[k] - m));
    const float log_sum = static_cast<float>(std::log(sum_exp));
    for (int64_t j = 0; j < D; ++j) out[n * D + j] = (x[j] - m) - log_sum;
  }
}

// Per row n, with y = out and g = dout (N, D):  dx_j = g_j - softmax_j sum_k g_k,  softmax = exp(y).
// The sum is accumulated in double.
void log_softmax_backward(float* dinp, const float* dout, const float* out, int64_t N, int64_t D) {
  if (!dinp) return;
  for (int64_t n = 0; n < N; ++n) {
    const float* g = dout + n * D;
    double g_sum = 0.0;
    for (int64_t k = 0; k < D; ++k) g_sum += g[k];
    for (int64_t j = 0; j < D; ++j)
      dinp[n * D + j] = g[j] - std::exp(out[n * D + j]) * static_cast<float>(g_sum);
  }
}

}  // namespace dl::ref
