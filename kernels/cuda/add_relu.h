// add_relu.h - CUDA twin of kernels/cpu/add_relu.h (relu(a + b) in one pass: the ResNet blocks'
// residual join): the same functions, arguments and semantics (shapes, formulas, = vs +=) on device
// pointers, enqueued on dl::cuda::stream().
// Derivation: docs/derivations.md#elementwise
#pragma once
#include <cstdint>

namespace dl::cuda {

#include "kernels/signatures/add_relu.inc"  // the signatures and their contract

}  // namespace dl::cuda
