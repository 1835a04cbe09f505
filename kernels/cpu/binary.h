// binary.h - elementwise a op b on the CPU, with the one broadcast pattern the models need.
//
// a and out are viewed as (outer, C, inner) and b has C elements, b[c] applying to a[o, c, i]:
//   b of a's shape               -> (1, numel, 1)
//   b with one element (scalar)  -> (1, 1, numel)
//   b (C) per channel of (N, C)  -> (N, C, 1);   of (N, C, H, W) -> (N, C, H*W)
//   b (N, 1) per row of (N, D)   -> (1, N, D)
// (autograd/ops/binary.cpp maps shapes to these dims.) Backward WRITES (=) da (outer, C, inner)
// and db (C); db sums over outer and inner in a fixed order (deterministic). Null pointers skip.
// a and b are read by mul/div backward only; add/sub accept them for a uniform signature.
// Derivation: docs/derivations.md#elementwise
#pragma once
#include <cstdint>

namespace dl::cpu {

#include "kernels/signatures/binary.inc"  // the signatures and their contract

}  // namespace dl::cpu
