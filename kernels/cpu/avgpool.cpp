#include "kernels/cpu/avgpool.h"

namespace dl::cpu {

// One (n, c) plane per iteration, summed in a fixed order: deterministic whatever the threads.
void global_avg_pool_forward(float* out, const float* inp, int64_t N, int64_t C, int64_t H, int64_t W) {
  const int64_t planes = N * C, HW = H * W;
  const float inv = 1.0f / static_cast<float>(HW);
#pragma omp parallel for schedule(static) if (planes * HW > (1 << 18))
  for (int64_t pl = 0; pl < planes; ++pl) {
    const float* src = inp + pl * HW;
    float acc = 0.0f;
#pragma omp simd reduction(+ : acc)
    for (int64_t k = 0; k < HW; ++k) acc += src[k];
    out[pl] = acc * inv;
  }
}

void global_avg_pool_backward(float* dinp, const float* dout, int64_t N, int64_t C, int64_t H, int64_t W) {
  const int64_t planes = N * C, HW = H * W;
  const float inv = 1.0f / static_cast<float>(HW);
#pragma omp parallel for schedule(static) if (planes * HW > (1 << 18))
  for (int64_t pl = 0; pl < planes; ++pl) {
    const float g = dout[pl] * inv;
    float* dst = dinp + pl * HW;
    for (int64_t k = 0; k < HW; ++k) dst[k] = g;
  }
}

}  // namespace dl::cpu
