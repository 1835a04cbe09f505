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

// param, exp_avg, exp_avg_sq (n) updated; grad (n) read.
void adam_update(float* param, float* exp_avg, float* exp_avg_sq, const float* grad, int64_t n, float lr,
                 float beta1, float beta2, float eps, float weight_decay, bool decoupled, float bias_correction1,
                 float bias_correction2_sqrt);

}  // namespace dl::cpu
