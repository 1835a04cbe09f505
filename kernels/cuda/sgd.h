// sgd.h - CUDA twin of kernels/cpu/sgd.h (the SGD / LARS update; formulas there): same arguments,
// device pointers. sum_squares returns its result to the host (deterministic reduction order).
// Derivation: docs/optimizers.md#sgd (LARS: #lars)
#pragma once
#include <cstdint>

namespace dl::cuda {

void sgd_update(float* param, float* momentum_buf, const float* grad, int64_t n, float lr, float momentum,
                float dampening, float weight_decay, bool nesterov, bool first_step, float grad_scale);
double sum_squares(const float* x, int64_t n);

}  // namespace dl::cuda
