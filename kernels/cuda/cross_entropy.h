// cross_entropy.h - CUDA twin of kernels/cpu/cross_entropy.h: the same functions, arguments and
// semantics (shapes, formulas, = vs +=) on device pointers, enqueued on dl::cuda::stream(). loss
// and dloss are single device floats; labels are already range-checked by the autograd op.
// Derivation: docs/derivations.md#cross-entropy
#pragma once
#include <cstdint>

namespace dl::cuda {

#include "kernels/signatures/cross_entropy.inc"  // the signatures and their contract

}  // namespace dl::cuda
