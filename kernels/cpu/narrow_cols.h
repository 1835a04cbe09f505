// narrow_cols.h - the column slice x[:, begin:begin+w] of a row-major (N, D) matrix (VAE: mu and
// logvar are the two halves of one linear layer's output) and its gradient.
//   forward   out (N, w) = inp[:, begin:begin+w]
//   backward  dinp (N, D) written (=): zeros outside the slice, dout inside it
// Derivation: docs/derivations.md#elementwise
#pragma once
#include <cstdint>

namespace dl::cpu {

#include "kernels/signatures/narrow_cols.inc"  // the signatures and their contract

}  // namespace dl::cpu
