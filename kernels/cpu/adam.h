// adam.h - one Adam / AdamW step over n parameters, in place (PyTorch 1.13 semantics):
//   Adam  (L2):       g = grad + weight_decay * param
//   AdamW (decoupled): param *= 1 - lr * weight_decay;  g = grad
//   m = beta1 m + (1 - beta1) g;   v = beta2 v + (1 - beta2) g^2
//   param -= (lr / bias_correction1) * m / (sqrt(v) / bias_correction2_sqrt + eps)
// with bias_correction1 = 1 - beta1^t and bias_correction2_sqrt = sqrt(1 - beta2^t) computed by
// the caller in double for step t >= 1 (eps outside the square root, as PyTorch).
// Derivation: docs/optimizers.md#adam
#pragma once
#include <cstdint>

namespace dl::cpu {

#include "kernels/signatures/adam.inc"  // the signatures and their contract

}  // namespace dl::cpu
