// matmul.h - CUDA twin of kernels/cpu/matmul.h: the same functions, arguments and semantics
// (shapes, formulas, = vs +=) on device pointers, enqueued on dl::cuda::stream(). On cuBLAS
// (kernels/cuda/gemm.h).
// Derivation: docs/derivations.md#matmul (linear: #linear)
#pragma once
#include <cstdint>

namespace dl::cuda {

#include "kernels/signatures/matmul.inc"  // the signatures and their contract

}  // namespace dl::cuda
