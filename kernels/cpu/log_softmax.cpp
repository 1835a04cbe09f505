// log_softmax.cpp - see log_softmax.h. One row per iteration; rows split across threads.
// exp is fast_exp (vectorizable, ~2 ulp; its arguments here are always <= 0) so the exp-bound
// loops run 8 wide.
#include "kernels/cpu/log_softmax.h"

#include <cmath>

#include "kernels/cpu/deterministic_sum.h"
#include "kernels/cpu/fast_exp.h"

namespace dl::cpu {

// exp per element makes these loops compute-bound: threads pay off earlier than for plain copies.
constexpr int64_t kParallelMinRows = 1 << 15;  // elements

void log_softmax_forward(float* out, const float* inp, int64_t N, int64_t D) {
#pragma omp parallel for schedule(static) if (N * D > kParallelMinRows)
  for (int64_t n = 0; n < N; ++n) {
    const float* x = inp + n * D;
    float* y = out + n * D;
    float m = -INFINITY;
#pragma omp simd reduction(max : m)
    for (int64_t j = 0; j < D; ++j) m = x[j] > m ? x[j] : m;
    const double s = serial_sum(0, D, [=](int64_t j) { return fast_exp(x[j] - m); });
    const float log_s = static_cast<float>(std::log(s));
#pragma omp simd
    for (int64_t j = 0; j < D; ++j) y[j] = (x[j] - m) - log_s;
  }
}

void log_softmax_backward(float* dinp, const float* dout, const float* out, int64_t N, int64_t D) {
  if (!dinp) return;
#pragma omp parallel for schedule(static) if (N * D > kParallelMinRows)
  for (int64_t n = 0; n < N; ++n) {
    const float* g = dout + n * D;
    const float* y = out + n * D;
    float* dx = dinp + n * D;
    const float gsum = static_cast<float>(serial_sum(0, D, [=](int64_t j) { return g[j]; }));
#pragma omp simd
    for (int64_t j = 0; j < D; ++j) dx[j] = g[j] - fast_exp(y[j]) * gsum;
  }
}

}  // namespace dl::cpu
