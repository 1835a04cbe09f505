// reduce.cpp - see reduce.h. All sums go through deterministic_sum.h or a fixed row order.
#include "kernels/cpu/reduce.h"

#include <algorithm>

#include "kernels/cpu/deterministic_sum.h"

namespace dl::cpu {

void sum_all_forward(float* out, const float* inp, int64_t n, float scale) {
  const double s = parallel_sum(n, [=](int64_t i) { return inp[i]; });
  out[0] = static_cast<float>(s * scale);
}

void sum_all_backward(float* dinp, const float* dout, int64_t n, float scale) {
  if (!dinp) return;
  const float g = dout[0] * scale;
#pragma omp parallel for simd schedule(static) if (n > kParallelMin)
  for (int64_t i = 0; i < n; ++i) dinp[i] = g;
}

void sum_dim_forward(float* out, const float* inp, int64_t outer, int64_t R, int64_t inner, float scale) {
  const int64_t n = outer * R * inner;
  if (inner == 1) {  // contiguous rows: one blocked sum per row
#pragma omp parallel for schedule(static) if (n > kParallelMin)
    for (int64_t o = 0; o < outer; ++o) {
      const float* row = inp + o * R;
      out[o] = static_cast<float>(serial_sum(0, R, [=](int64_t r) { return row[r]; }) * scale);
    }
    return;
  }
  // Columns: for each (o, block of kCols columns), add the R rows in order into double
  // accumulators, vectorized across the columns.
  constexpr int64_t kCols = 256;
  const int64_t n_blocks = (inner + kCols - 1) / kCols;
#pragma omp parallel for schedule(static) if (n > kParallelMin)
  for (int64_t job = 0; job < outer * n_blocks; ++job) {
    const int64_t o = job / n_blocks, i0 = (job % n_blocks) * kCols, i1 = std::min(inner, i0 + kCols);
    double acc[kCols] = {};
    for (int64_t r = 0; r < R; ++r) {
      const float* row = inp + (o * R + r) * inner;
#pragma omp simd
      for (int64_t i = i0; i < i1; ++i) acc[i - i0] += row[i];
    }
    for (int64_t i = i0; i < i1; ++i) out[o * inner + i] = static_cast<float>(acc[i - i0] * scale);
  }
}

void sum_dim_backward(float* dinp, const float* dout, int64_t outer, int64_t R, int64_t inner, float scale) {
  if (!dinp) return;
  const int64_t n = outer * R * inner;
#pragma omp parallel for schedule(static) if (n > kParallelMin)
  for (int64_t row = 0; row < outer * R; ++row) {
    const float* g = dout + (row / R) * inner;
    float* d = dinp + row * inner;
#pragma omp simd
    for (int64_t i = 0; i < inner; ++i) d[i] = g[i] * scale;
  }
}

}  // namespace dl::cpu
