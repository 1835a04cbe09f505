// kl_normal.h - CUDA twin of kernels/cpu/kl_normal.h: the same functions, arguments and semantics
// (shapes, formulas, = vs +=) on device pointers, enqueued on dl::cuda::stream(). loss and dloss
// are single device floats.
// Derivation: docs/derivations.md#kl-normal
#pragma once
#include <cstdint>

namespace dl::cuda {

#include "kernels/signatures/kl_normal.inc"  // the signatures and their contract

}  // namespace dl::cuda
