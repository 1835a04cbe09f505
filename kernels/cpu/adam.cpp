// adam.cpp - see adam.h. Elementwise, so any thread count gives the same result.
#include "kernels/cpu/adam.h"

#include <cmath>

namespace dl::cpu {

void adam_update(float* param, float* exp_avg, float* exp_avg_sq, const float* grad, int64_t n, float lr,
                 float beta1, float beta2, float eps, float weight_decay, bool decoupled, float bias_correction1,
                 float bias_correction2_sqrt) {
  const float step_size = lr / bias_correction1;
  const float one_minus_b1 = 1.0f - beta1, one_minus_b2 = 1.0f - beta2;
  const float decay = decoupled ? 1.0f - lr * weight_decay : 1.0f;
  const float l2 = decoupled ? 0.0f : weight_decay;
#pragma omp parallel for simd schedule(static) if (n > 65536)
  for (int64_t i = 0; i < n; ++i) {
    float p = param[i];
    const float g = l2 != 0.0f ? grad[i] + l2 * p : grad[i];
    if (decoupled) p *= decay;
    const float m = exp_avg[i] * beta1 + one_minus_b1 * g;
    const float v = exp_avg_sq[i] * beta2 + one_minus_b2 * (g * g);
    exp_avg[i] = m;
    exp_avg_sq[i] = v;
    param[i] = p - step_size * (m / (std::sqrt(v) / bias_correction2_sqrt + eps));
  }
}

}  // namespace dl::cpu
