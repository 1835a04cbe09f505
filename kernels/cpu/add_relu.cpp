// add_relu.cpp - see add_relu.h. Elementwise: any thread count gives the same result.
#include "kernels/cpu/add_relu.h"

#include <algorithm>

#include "kernels/cpu/relu_mask.h"

namespace dl::cpu {

// Memory-bound; below 256 K floats a parallel region costs more than it saves (measured for
// upsample/avgpool: docs/notes/measurement_log.md; docs/performance.md, "Threads").
constexpr int64_t kParallelMin = int64_t{1} << 18;

void add_relu_forward(float* out, const float* a, const float* b, int64_t n) {
#pragma omp parallel for simd schedule(static) if (n > kParallelMin)
  for (int64_t i = 0; i < n; ++i) out[i] = std::max(a[i] + b[i], 0.0f);
}

void add_relu_backward(float* dab, const float* dout, const float* out, int64_t n) {
#pragma omp parallel for simd schedule(static) if (n > kParallelMin)
  for (int64_t i = 0; i < n; ++i) dab[i] = keep_if_positive(out[i], dout[i]);
}

}  // namespace dl::cpu
