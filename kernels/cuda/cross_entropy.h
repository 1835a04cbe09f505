// cross_entropy.h - CUDA twin of kernels/cpu/cross_entropy.h: the same functions, arguments and
// semantics (shapes, formulas, = vs +=) on device pointers, enqueued on dl::cuda::stream(). loss
// and dloss are single device floats. Labels are range-checked by the kernels (not the autograd
// op): one outside [0, K) is never read past, gives NaN and raises dl::Error at the next
// synchronization (deferred_error.h).
// Derivation: docs/derivations.md#cross-entropy
#pragma once
#include <cstdint>

namespace dl::cuda {

#include "kernels/signatures/cross_entropy.inc"  // the signatures and their contract

}  // namespace dl::cuda
