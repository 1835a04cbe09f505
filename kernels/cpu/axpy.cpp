#include "kernels/cpu/axpy.h"

namespace dl::cpu {

void axpy(float* y, const float* x, float a, int64_t n) {
#pragma omp parallel for simd schedule(static) if (n > 65536)
  for (int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}

}  // namespace dl::cpu
