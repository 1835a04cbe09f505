// avgpool.h - global average pooling on the CPU: out[n, c] = mean over (h, w) of inp[n, c, h, w].
// Derivation: docs/derivations.md#avgpool
#pragma once
#include <cstdint>

namespace dl::cpu {

// out (N, C) from inp (N, C, H, W).
void global_avg_pool_forward(float* out, const float* inp, int64_t N, int64_t C, int64_t H, int64_t W);
// dinp (N, C, H, W) = dout[n, c] / (H W) (written, not accumulated).
void global_avg_pool_backward(float* dinp, const float* dout, int64_t N, int64_t C, int64_t H, int64_t W);

}  // namespace dl::cpu
