// batchnorm.h - the reference batch normalization, and its fusion with ReLU.
//
// The input is viewed as (N, C, S) with S = H W (S = 1 for an (N, C) input); each channel c has
// its statistics over the M = N S values x[n, c, s]. Same arguments as the fast twin
// kernels/cpu/batchnorm.h and the CUDA twin kernels/cuda/batchnorm.h. Derivation of the backward:
// docs/batchnorm.md.
#pragma once
#include <cstdint>

namespace dl::ref {

#include "kernels/signatures/batchnorm.inc"  // the signatures and their contract

}  // namespace dl::ref
