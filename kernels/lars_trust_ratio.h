// lars_trust_ratio.h - LARS's trust ratio (nn/lars.h, docs/optimizers.md#lars), one definition for
// the CPU kernels and the CUDA kernel, which computes it on the GPU from norms that never leave it.
#pragma once
#include <cmath>

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

}  // namespace dl
