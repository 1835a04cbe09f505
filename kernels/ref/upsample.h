// upsample.h - plain nearest-neighbour x2 upsampling: out[n, c, 2i + a, 2j + b] = inp[n, c, i, j].
// Fast twin: kernels/cpu/upsample.h (same arguments).
// Derivation: docs/derivations.md#upsample
#pragma once
#include <cstdint>

namespace dl::ref {

// out (N, C, 2H, 2W) from inp (N, C, H, W).
void upsample_nearest2x_forward(float* out, const float* inp, int64_t N, int64_t C, int64_t H, int64_t W);
// dinp (N, C, H, W) = sum of dout (N, C, 2H, 2W) over each 2x2 block, written (=).
void upsample_nearest2x_backward(float* dinp, const float* dout, int64_t N, int64_t C, int64_t H, int64_t W);

}  // namespace dl::ref
