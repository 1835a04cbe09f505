// adam.cpp - see adam.h. Elementwise, so any thread count gives the same result.
#include "kernels/cpu/adam.h"

#include <cmath>

namespace dl::cpu {
namespace {

// The update with its two options fixed at compile time, so that the loop has no branch and
// vectorizes: the sqrt and the two divisions per element are what bound Adam, and 8 or 16 lanes
// do them for the price of one (with -fno-math-errno on this file, see CMakeLists.txt; a vector
// sqrt or division rounds exactly as the scalar one, so the result is the same bits).
template <bool kL2, bool kDecoupled>
void adam_update_loop(float* param, float* exp_avg, float* exp_avg_sq, const float* grad, int64_t n, float lr,
                      float beta1, float beta2, float eps, float weight_decay, float bias_correction1,
                      float bias_correction2_sqrt) {
  const float step_size = lr / bias_correction1;
  const float one_minus_b1 = 1.0f - beta1, one_minus_b2 = 1.0f - beta2;
  const float decay = 1.0f - lr * weight_decay;
#pragma omp parallel for simd schedule(static) if (n > 65536)
  for (int64_t i = 0; i < n; ++i) {
    float p = param[i];
    float g = grad[i];
    if constexpr (kL2) g += weight_decay * p;
    if constexpr (kDecoupled) p *= decay;
    const float m = exp_avg[i] * beta1 + one_minus_b1 * g;
    const float v = exp_avg_sq[i] * beta2 + one_minus_b2 * (g * g);
    exp_avg[i] = m;
    exp_avg_sq[i] = v;
    param[i] = p - step_size * (m / (std::sqrt(v) / bias_correction2_sqrt + eps));
  }
}

}  // namespace

void adam_update(float* param, float* exp_avg, float* exp_avg_sq, const float* grad, int64_t n, float lr,
                 float beta1, float beta2, float eps, float weight_decay, bool decoupled, float bias_correction1,
                 float bias_correction2_sqrt) {
  const bool l2 = !decoupled && weight_decay != 0.0f;
  if (decoupled)
    adam_update_loop<false, true>(param, exp_avg, exp_avg_sq, grad, n, lr, beta1, beta2, eps, weight_decay,
                                  bias_correction1, bias_correction2_sqrt);
  else if (l2)
    adam_update_loop<true, false>(param, exp_avg, exp_avg_sq, grad, n, lr, beta1, beta2, eps, weight_decay,
                                  bias_correction1, bias_correction2_sqrt);
  else
    adam_update_loop<false, false>(param, exp_avg, exp_avg_sq, grad, n, lr, beta1, beta2, eps, weight_decay,
                                   bias_correction1, bias_correction2_sqrt);
}

}  // namespace dl::cpu
