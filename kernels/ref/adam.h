// adam.h - the plain Adam / AdamW step, one parameter at a time (PyTorch 1.13 semantics).
// Fast twin: kernels/cpu/adam.h (same arguments; it adds OpenMP).
// Derivation: docs/optimizers.md#adam
#pragma once
#include <cstdint>

namespace dl::ref {

// param, exp_avg, exp_avg_sq (n) updated in place; grad (n) read.
// bias_correction1 = 1 - beta1^t and bias_correction2_sqrt = sqrt(1 - beta2^t), from the caller.
void adam_update(float* param, float* exp_avg, float* exp_avg_sq, const float* grad, int64_t n, float lr,
                 float beta1, float beta2, float eps, float weight_decay, bool decoupled, float bias_correction1,
                 float bias_correction2_sqrt);

}  // namespace dl::ref
