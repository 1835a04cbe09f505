// lars_trust_ratio.h - LARS's trust ratio (nn/lars.h, docs/optimizers.md#lars), one definition for
// the CPU kernels and the CUDA kernel, which computes it on the GPU from norms that never leave it;
// and the LARS step the two CPU backends (ref, cpu) build from their own sum_squares and sgd_update.
#pragma once
#include <cmath>
#include <cstdint>

#include "tensor/host_device.h"

namespace dl {

// ratio = trust_coefficient |p| / (|g| + weight_decay |p| + eps) from the sums of squares of the
// parameter and its gradient; 0 when either norm is 0, meaning: a plain SGD step without weight
// decay (lars_update in kernels/signatures/sgd.inc).
DL_HOST_DEVICE inline double lars_trust_ratio(double param_sq, double grad_sq, double trust_coefficient,
                                              double weight_decay, double eps) {
  const double p = sqrt(param_sq), g = sqrt(grad_sq);
  return p != 0.0 && g != 0.0 ? trust_coefficient * p / (g + p * weight_decay + eps) : 0.0;
}

// lars_update of a CPU backend (kernels/signatures/sgd.inc) from that backend's own sum_squares and
// sgd_update: the ratio from both sums, then the SGD step it scales.
inline void lars_update_from(double (*sum_squares)(const float*, int64_t),
                             void (*sgd_update)(float*, float*, const float*, int64_t, float, float, float, float, bool,
                                                bool, float),
                             float* param, float* momentum_buf, const float* grad, int64_t n, float lr, float momentum,
                             float dampening, float weight_decay, bool nesterov, bool first_step,
                             float trust_coefficient, float eps) {
  const double r = lars_trust_ratio(sum_squares(param, n), sum_squares(grad, n), trust_coefficient, weight_decay, eps);
  if (r != 0.0)
    sgd_update(param, momentum_buf, grad, n, lr, momentum, dampening, weight_decay, nesterov, first_step, float(r));
  else
    sgd_update(param, momentum_buf, grad, n, lr, momentum, dampening, 0.0f, nesterov, first_step, 1.0f);
}

}  // namespace dl
