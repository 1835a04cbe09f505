// batchnorm.h - CUDA twin of kernels/cpu/batchnorm.h: the same functions, arguments and semantics
// (shapes, formulas, = vs +=) on device pointers, enqueued on dl::cuda::stream(). batchnorm_relu_*
// take any S, as on the CPU.
// Derivation: docs/batchnorm.md#backward
#pragma once
#include <cstdint>

namespace dl::cuda {

#include "kernels/signatures/batchnorm.inc"  // the signatures and their contract

}  // namespace dl::cuda
