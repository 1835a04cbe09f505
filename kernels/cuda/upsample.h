// upsample.h - CUDA twin of kernels/cpu/upsample.h: the same functions, arguments and semantics
// (shapes, formulas, = vs +=) on device pointers, enqueued on dl::cuda::stream().
// Derivation: docs/derivations.md#upsample
#pragma once
#include <cstdint>

namespace dl::cuda {

#include "kernels/signatures/upsample.inc"  // the signatures and their contract

}  // namespace dl::cuda
