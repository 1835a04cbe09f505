// l2_normalize.h - rows of (N, D) divided by max(||row||_2, eps) (torch.nn.functional.normalize).
// Derivation: docs/derivations.md#l2-normalize
#pragma once
#include <cstdint>

namespace dl::cpu {

#include "kernels/signatures/l2_normalize.inc"  // the signatures and their contract

}  // namespace dl::cpu
