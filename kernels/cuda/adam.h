// adam.h - CUDA twin of kernels/cpu/adam.h (the Adam / AdamW update; formulas there): same
// arguments, device pointers.
// Derivation: docs/optimizers.md#adam
#pragma once
#include <cstdint>

namespace dl::cuda {

void adam_update(float* param, float* exp_avg, float* exp_avg_sq, const float* grad, int64_t n, float lr,
                 float beta1, float beta2, float eps, float weight_decay, bool decoupled, float bias_correction1,
                 float bias_correction2_sqrt);

}  // namespace dl::cuda
