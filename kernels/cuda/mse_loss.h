// mse_loss.h - CUDA twin of kernels/cpu/mse_loss.h: the same functions, arguments and semantics
// (shapes, formulas, = vs +=) on device pointers, enqueued on dl::cuda::stream(). loss and dloss
// are single device floats.
// Derivation: docs/derivations.md#mse
#pragma once
#include <cstdint>

namespace dl::cuda {

#include "kernels/signatures/mse_loss.inc"  // the signatures and their contract

}  // namespace dl::cuda
