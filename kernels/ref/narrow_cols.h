// narrow_cols.h - plain column slice x[:, begin:begin+w] of a row-major (N, D) matrix and its
// gradient. Fast twin: kernels/cpu/narrow_cols.h (same arguments).
// Derivation: docs/derivations.md#elementwise
#pragma once
#include <cstdint>

namespace dl::ref {

#include "kernels/signatures/narrow_cols.inc"  // the signatures and their contract

}  // namespace dl::ref
