// l2_normalize.h - plain row normalization of (N, D): rows divided by max(||row||_2, eps)
// (torch.nn.functional.normalize). Fast twin: kernels/cpu/l2_normalize.h (same arguments).
// Derivation: docs/derivations.md#l2-normalize
#pragma once
#include <cstdint>

namespace dl::ref {

#include "kernels/signatures/l2_normalize.inc"  // the signatures and their contract

}  // namespace dl::ref
