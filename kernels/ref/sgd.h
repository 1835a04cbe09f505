// sgd.h - the plain SGD step (PyTorch semantics) and the squared norm LARS needs.
// Fast twin: kernels/cpu/sgd.h (same arguments).
// Derivation: docs/optimizers.md#sgd (LARS: #lars)
#pragma once
#include <cstdint>

namespace dl::ref {

// param, momentum_buf (n) updated in place; grad (n) read; momentum_buf may be null when
// momentum == 0. grad_scale is 1 for SGD, the LARS trust ratio for LARS.
void sgd_update(float* param, float* momentum_buf, const float* grad, int64_t n, float lr, float momentum,
                float dampening, float weight_decay, bool nesterov, bool first_step, float grad_scale);

// sum_i x_i^2, accumulated in double.
double sum_squares(const float* x, int64_t n);

}  // namespace dl::ref
