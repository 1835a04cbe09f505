// log_softmax.h - plain row-wise log-softmax of (N, D), numerically stable.
// Fast twin: kernels/cpu/log_softmax.h (same arguments; it uses a vectorized exp and OpenMP).
// Derivation: docs/derivations.md#log-softmax
#pragma once
#include <cstdint>

namespace dl::ref {

#include "kernels/signatures/log_softmax.inc"  // the signatures and their contract

}  // namespace dl::ref
