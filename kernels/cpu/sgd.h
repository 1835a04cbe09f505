// sgd.h - one SGD step over n parameters, in place (PyTorch semantics), plus the squared norm
// LARS needs for its trust ratio.
//   d = grad_scale * (grad + weight_decay * param)     (grad_scale = 1 for SGD, the LARS ratio for LARS)
//   if momentum != 0:  buf = first_step ? d : momentum * buf + (1 - dampening) * d
//                      d = nesterov ? d + momentum * buf : buf
//   param -= lr * d
// momentum_buf may be null when momentum == 0.
// Derivation: docs/optimizers.md#sgd (LARS: #lars)
#pragma once
#include <cstdint>

namespace dl::cpu {

// param, momentum_buf (n) updated; grad (n) read.
void sgd_update(float* param, float* momentum_buf, const float* grad, int64_t n, float lr, float momentum,
                float dampening, float weight_decay, bool nesterov, bool first_step, float grad_scale);

// sum_i x_i^2 in double, over fixed chunks combined in order (deterministic for any thread count).
double sum_squares(const float* x, int64_t n);

}  // namespace dl::cpu
