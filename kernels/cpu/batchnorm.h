// batchnorm.h - batch normalization on the CPU (llm.c layernorm style: forward saves mean and
// rstd per channel, backward is one fused pass). The input is viewed as (N, C, S) with S = H*W
// (S = 1 for an (N, C) input); the statistics are per channel over M = N*S values. Parallel over
// channels (over blocks of 64 channels for (N, C)), each channel reduced in a fixed order: the same
// bits for any thread count. batchnorm_relu_* (either layout) save the separate ReLU pass; their
// backward recomputes the mask [y > 0] from inp with the forward's expression, so it is the
// forward's mask.
// Derivation: docs/batchnorm.md#backward
#pragma once
#include <cstdint>

namespace dl::cpu {

#include "kernels/signatures/batchnorm.inc"  // the signatures and their contract

}  // namespace dl::cpu
