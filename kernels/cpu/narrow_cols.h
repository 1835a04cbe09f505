// narrow_cols.h - the column slice x[:, begin:begin+w] of a row-major (N, D) matrix (VAE: mu and
// logvar are the two halves of one linear layer's output) and its gradient.
//   forward   out (N, w) = inp[:, begin:begin+w]
//   backward  dinp (N, D) written (=): zeros outside the slice, dout inside it
// Derivation: docs/derivations.md#elementwise
#pragma once
#include <cstdint>

namespace dl::cpu {

void narrow_cols_forward(float* out, const float* inp, int64_t N, int64_t D, int64_t begin, int64_t w);
void narrow_cols_backward(float* dinp, const float* dout, int64_t N, int64_t D, int64_t begin, int64_t w);

}  // namespace dl::cpu
