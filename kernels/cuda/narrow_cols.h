// narrow_cols.h - CUDA twin of kernels/cpu/narrow_cols.h: same functions and arguments, device
// pointers, enqueued on dl::cuda::stream().
// Derivation: docs/derivations.md#elementwise
#pragma once
#include <cstdint>

namespace dl::cuda {

void narrow_cols_forward(float* out, const float* inp, int64_t N, int64_t D, int64_t begin, int64_t w);
void narrow_cols_backward(float* dinp, const float* dout, int64_t N, int64_t D, int64_t begin, int64_t w);

}  // namespace dl::cuda
