// avgpool.h - CUDA twin of kernels/cpu/avgpool.h: the same functions, arguments and semantics
// (shapes, formulas, = vs +=) on device pointers, enqueued on dl::cuda::stream().
// Derivation: docs/derivations.md#avgpool
#pragma once
#include <cstdint>

namespace dl::cuda {

#include "kernels/signatures/avgpool.inc"  // the signatures and their contract

}  // namespace dl::cuda
