// l2_normalize.cpp - see l2_normalize.h. One row per iteration; rows split across threads.
#include "kernels/cpu/l2_normalize.h"

#include <algorithm>
#include <cmath>

#include "kernels/cpu/deterministic_sum.h"

namespace dl::cpu {

void l2_normalize_forward(float* out, float* norm, const float* inp, int64_t N, int64_t D, float eps) {
#pragma omp parallel for schedule(static) if (N * D > kParallelMin)
  for (int64_t n = 0; n < N; ++n) {
    const float* x = inp + n * D;
    float* y = out + n * D;
    const double ss = serial_sum(0, D, [=](int64_t j) { return x[j] * x[j]; });
    norm[n] = static_cast<float>(std::sqrt(ss));
    const float denom = std::max(norm[n], eps);
#pragma omp simd
    for (int64_t j = 0; j < D; ++j) y[j] = x[j] / denom;
  }
}

void l2_normalize_backward(float* dinp, const float* dout, const float* /*inp*/, const float* out,
                           const float* norm, int64_t N, int64_t D, float eps) {
  if (!dinp) return;
#pragma omp parallel for schedule(static) if (N * D > kParallelMin)
  for (int64_t n = 0; n < N; ++n) {
    const float* g = dout + n * D;
    const float* y = out + n * D;
    float* dx = dinp + n * D;
    if (norm[n] > eps) {
      const float dot = static_cast<float>(serial_sum(0, D, [=](int64_t j) { return y[j] * g[j]; }));
      const float r = norm[n];
#pragma omp simd
      for (int64_t j = 0; j < D; ++j) dx[j] = (g[j] - y[j] * dot) / r;
    } else {
#pragma omp simd
      for (int64_t j = 0; j < D; ++j) dx[j] = g[j] / eps;
    }
  }
}

}  // namespace dl::cpu
