// adam.h - the plain Adam / AdamW step, one parameter at a time (PyTorch 1.13 semantics).
// Fast twin: kernels/cpu/adam.h (same arguments; it adds OpenMP).
// Derivation: docs/optimizers.md#adam
#pragma once
#include <cstdint>

namespace dl::ref {

#include "kernels/signatures/adam.inc"  // the signatures and their contract

}  // namespace dl::ref
