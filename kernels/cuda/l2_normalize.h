// l2_normalize.h - CUDA twin of kernels/cpu/l2_normalize.h: the same functions, arguments and
// semantics (shapes, formulas, = vs +=) on device pointers, enqueued on dl::cuda::stream().
// Derivation: docs/derivations.md#l2-normalize
#pragma once
#include <cstdint>

namespace dl::cuda {

#include "kernels/signatures/l2_normalize.inc"  // the signatures and their contract

}  // namespace dl::cuda
