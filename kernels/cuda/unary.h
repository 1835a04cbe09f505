// unary.h - CUDA twin of kernels/cpu/unary.h: the same functions, arguments and semantics (shapes,
// formulas, = vs +=) on device pointers, enqueued on dl::cuda::stream().
// Derivation: docs/derivations.md#elementwise
#pragma once
#include <cstdint>

namespace dl::cuda {

#include "kernels/signatures/unary.inc"  // the signatures and their contract

}  // namespace dl::cuda
