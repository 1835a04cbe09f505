// adam.cpp - see adam.h.
#include "kernels/ref/adam.h"

#include <cmath>

namespace dl::ref {

// For each i (all in float, as PyTorch):
//   Adam  (L2):        g = grad + weight_decay * param
//   AdamW (decoupled): param = param * (1 - lr * weight_decay);  g = grad
//   m = beta1 m + (1 - beta1) g
//   v = beta2 v + (1 - beta2) g^2
//   param = param - (lr / bias_correction1) * m / (sqrt(v) / bias_correction2_sqrt + eps)
void adam_update(float* param, float* exp_avg, float* exp_avg_sq, const float* grad, int64_t n, float lr,
                 float beta1, float beta2, float eps, float weight_decay, bool decoupled, float bias_correction1,
                 float bias_correction2_sqrt) {
  for (int64_t i = 0; i < n; ++i) {
    float p = param[i];
    float g = grad[i];
    if (decoupled) {
      p = p * (1.0f - lr * weight_decay);
    } else if (weight_decay != 0.0f) {
      g = g + weight_decay * p;
    }
    const float m = beta1 * exp_avg[i] + (1.0f - beta1) * g;
    const float v = beta2 * exp_avg_sq[i] + (1.0f - beta2) * (g * g);
    exp_avg[i] = m;
    exp_avg_sq[i] = v;
    param[i] = p - (lr / bias_correction1) * (m / (std::sqrt(v) / bias_correction2_sqrt + eps));
  }
}

}  // namespace dl::ref
