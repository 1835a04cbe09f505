// conv2d.h - CUDA twin of kernels/cpu/conv2d.h: the same functions, arguments and semantics
// (shapes, formulas, = vs +=) on device pointers, enqueued on dl::cuda::stream().
// Derivation: docs/conv2d.md#the-backward-derived
#pragma once
#include <cstdint>

namespace dl::cuda {

#include "kernels/signatures/conv2d.inc"  // the signatures and their contract

}  // namespace dl::cuda
