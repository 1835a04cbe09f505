// sgd.h - the plain SGD step (PyTorch semantics) and the squared norm LARS needs.
// Fast twin: kernels/cpu/sgd.h (same arguments).
// Derivation: docs/optimizers.md#sgd (LARS: #lars)
#pragma once
#include <cstdint>

namespace dl::ref {

#include "kernels/signatures/sgd.inc"  // the signatures and their contract

}  // namespace dl::ref
