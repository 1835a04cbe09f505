// cross_entropy.h - plain softmax + cross-entropy over rows of logits, with integer labels.
// Fast twin: kernels/cpu/cross_entropy.h (same arguments; it uses a vectorized exp and OpenMP).
// Derivation: docs/derivations.md#cross-entropy
#pragma once
#include <cstdint>

namespace dl::ref {

#include "kernels/signatures/cross_entropy.inc"  // the signatures and their contract

}  // namespace dl::ref
