// sgd.h - CUDA twin of kernels/cpu/sgd.h: the same functions, arguments and semantics (shapes,
// formulas, = vs +=) on device pointers, enqueued on dl::cuda::stream(). sum_squares returns its
// result to the host (deterministic reduction order).
// Derivation: docs/optimizers.md#sgd (LARS: #lars)
#pragma once
#include <cstdint>

namespace dl::cuda {

#include "kernels/signatures/sgd.inc"  // the signatures and their contract

}  // namespace dl::cuda
