// avgpool.h - CUDA twin of kernels/cpu/avgpool.h: same arguments, device pointers.
// Derivation: docs/derivations.md#avgpool
#pragma once
#include <cstdint>

namespace dl::cuda {

// out (N, C) from inp (N, C, H, W).
void global_avg_pool_forward(float* out, const float* inp, int64_t N, int64_t C, int64_t H, int64_t W);
// dinp (N, C, H, W) = dout[n, c] / (H W) (written, not accumulated).
void global_avg_pool_backward(float* dinp, const float* dout, int64_t N, int64_t C, int64_t H, int64_t W);

}  // namespace dl::cuda
