#include "kernels/cpu/upsample.h"

namespace dl::cpu {

// One (H, W) plane per iteration: planes are independent, so OpenMP over N C planes once there
// are >= 256 K input floats (memory-bound: below that a parallel region costs more than it saves).
void upsample_nearest2x_forward(float* out, const float* inp, int64_t N, int64_t C, int64_t H, int64_t W) {
  const int64_t planes = N * C, W2 = 2 * W;
#pragma omp parallel for schedule(static) if (planes * H * W > (1 << 18))
  for (int64_t pl = 0; pl < planes; ++pl) {
    const float* src = inp + pl * H * W;
    float* dst = out + pl * 4 * H * W;
    for (int64_t i = 0; i < H; ++i) {
      float* row0 = dst + 2 * i * W2;
      for (int64_t j = 0; j < W; ++j) row0[2 * j] = row0[2 * j + 1] = src[i * W + j];
      for (int64_t j = 0; j < W2; ++j) row0[W2 + j] = row0[j];  // output row 2i + 1 repeats row 2i
    }
  }
}

void upsample_nearest2x_backward(float* dinp, const float* dout, int64_t N, int64_t C, int64_t H, int64_t W) {
  const int64_t planes = N * C, W2 = 2 * W;
#pragma omp parallel for schedule(static) if (planes * H * W > (1 << 18))
  for (int64_t pl = 0; pl < planes; ++pl) {
    const float* src = dout + pl * 4 * H * W;
    float* dst = dinp + pl * H * W;
    for (int64_t i = 0; i < H; ++i) {
      const float* r0 = src + 2 * i * W2;
      const float* r1 = r0 + W2;
      for (int64_t j = 0; j < W; ++j) dst[i * W + j] = (r0[2 * j] + r0[2 * j + 1]) + (r1[2 * j] + r1[2 * j + 1]);
    }
  }
}

}  // namespace dl::cpu
