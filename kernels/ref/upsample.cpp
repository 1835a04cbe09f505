// upsample.cpp - see upsample.h. N and C together index H x W planes (P = N C of them).
#include "kernels/ref/upsample.h"

namespace dl::ref {

// out[p, y, x] = inp[p, y / 2, x / 2] for every output pixel (y < 2H, x < 2W).
void upsample_nearest2x_forward(float* out, const float* inp, int64_t N, int64_t C, int64_t H, int64_t W) {
  for (int64_t p = 0; p < N * C; ++p)
    for (int64_t y = 0; y < 2 * H; ++y)
      for (int64_t x = 0; x < 2 * W; ++x) out[(p * 2 * H + y) * 2 * W + x] = inp[(p * H + y / 2) * W + x / 2];
}

// dinp[p, i, j] = sum_{a, b in {0, 1}} dout[p, 2i + a, 2j + b].
void upsample_nearest2x_backward(float* dinp, const float* dout, int64_t N, int64_t C, int64_t H, int64_t W) {
  for (int64_t p = 0; p < N * C; ++p)
    for (int64_t i = 0; i < H; ++i)
      for (int64_t j = 0; j < W; ++j) {
        float sum = 0.0f;
        for (int64_t a = 0; a < 2; ++a)
          for (int64_t b = 0; b < 2; ++b) sum += dout[(p * 2 * H + 2 * i + a) * 2 * W + 2 * j + b];
        dinp[(p * H + i) * W + j] = sum;
      }
}

}  // namespace dl::ref
