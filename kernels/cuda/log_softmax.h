// log_softmax.h - CUDA twin of kernels/cpu/log_softmax.h: the same functions, arguments and
// semantics (shapes, formulas, = vs +=) on device pointers, enqueued on dl::cuda::stream().
// Derivation: docs/derivations.md#log-softmax
#pragma once
#include <cstdint>

namespace dl::cuda {

#include "kernels/signatures/log_softmax.inc"  // the signatures and their contract

}  // namespace dl::cuda
