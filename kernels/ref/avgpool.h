// avgpool.h - plain global average pooling: out[n, c] = mean over (h, w) of inp[n, c, h, w].
// Fast twin: kernels/cpu/avgpool.h (same arguments).
// Derivation: docs/derivations.md#avgpool
#pragma once
#include <cstdint>

namespace dl::ref {

// out (N, C) from inp (N, C, H, W).
void global_avg_pool_forward(float* out, const float* inp, int64_t N, int64_t C, int64_t H, int64_t W);
// dinp (N, C, H, W) = dout[n, c] / (H W), written (=).
void global_avg_pool_backward(float* dinp, const float* dout, int64_t N, int64_t C, int64_t H, int64_t W);

}  // namespace dl::ref
