// adam.h - CUDA twin of kernels/cpu/adam.h (the Adam / AdamW update): the same functions, arguments
// and semantics (shapes, formulas, = vs +=) on device pointers, enqueued on dl::cuda::stream().
// Derivation: docs/optimizers.md#adam
#pragma once
#include <cstdint>

namespace dl::cuda {

#include "kernels/signatures/adam.inc"  // the signatures and their contract

}  // namespace dl::cuda
