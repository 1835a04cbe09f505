// narrow_cols.h - plain column slice x[:, begin:begin+w] of a row-major (N, D) matrix and its
// gradient. Fast twin: kernels/cpu/narrow_cols.h (same arguments).
// Derivation: docs/derivations.md#elementwise
#pragma once
#include <cstdint>

namespace dl::ref {

// out (N, w) = inp[:, begin:begin+w].
void narrow_cols_forward(float* out, const float* inp, int64_t N, int64_t D, int64_t begin, int64_t w);
// dinp (N, D) written (=): dout inside the slice, 0 outside it.
void narrow_cols_backward(float* dinp, const float* dout, int64_t N, int64_t D, int64_t begin, int64_t w);

}  // namespace dl::ref
