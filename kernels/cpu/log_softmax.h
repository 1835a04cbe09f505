// log_softmax.h - row-wise log-softmax of (N, D) on the CPU, numerically stable:
//   y = (x - m) - log(sum_j exp(x_j - m)),  m = max_j x_j  (no exp of a positive number).
// Derivation: docs/derivations.md#log-softmax
#pragma once
#include <cstdint>

namespace dl::cpu {

#include "kernels/signatures/log_softmax.inc"  // the signatures and their contract

}  // namespace dl::cpu
