// avgpool.cpp - see avgpool.h.
#include "kernels/ref/avgpool.h"

namespace dl::ref {

// out[n, c] = (1 / (H W)) sum_{h, w} inp[n, c, h, w]; inp (N, C, H, W), out (N, C).
// The sum is accumulated in double.
void global_avg_pool_forward(float* out, const float* inp, int64_t N, int64_t C, int64_t H, int64_t W) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      const float* plane = inp + (n * C + c) * H * W;
      double sum = 0.0;
      for (int64_t k = 0; k < H * W; ++k) sum += plane[k];
      out[n * C + c] = static_cast<float>(sum / static_cast<double>(H * W));
    }
}

// dinp[n, c, h, w] = dout[n, c] / (H W); dout (N, C), dinp (N, C, H, W).
void global_avg_pool_backward(float* dinp, const float* dout, int64_t N, int64_t C, int64_t H, int64_t W) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      float* plane = dinp + (n * C + c) * H * W;
      for (int64_t k = 0; k < H * W; ++k) plane[k] = dout[n * C + c] / static_cast<float>(H * W);
    }
}

}  // namespace dl::ref
