// nt_xent.h - CUDA twin of kernels/cpu/nt_xent.h: the same functions, arguments and semantics
// (shapes, formulas, = vs +=) on device pointers, enqueued on dl::cuda::stream(). loss and dloss
// are single device floats; dS is a device buffer of N*N or 2N*2N floats, written by the forward
// and read by the backward.
// Derivation: docs/nt_xent.md
#pragma once
#include <cstdint>

namespace dl::cuda {

#include "kernels/signatures/nt_xent.inc"  // the signatures and their contract

}  // namespace dl::cuda
