// matmul.h - matrix products on the CPU: the general matmul and the linear layer y = x W^T + b.
// Forward and backward take their arguments in the same order (llm.c style); any gradient
// pointer may be null to skip it. Activation gradients are written (=), parameter gradients
// (dweight, dbias) accumulated (+=).
// Derivation: docs/derivations.md#matmul (linear: #linear)
#pragma once
#include <cstdint>

namespace dl::cpu {

#include "kernels/signatures/matmul.inc"  // the signatures and their contract

}  // namespace dl::cpu
