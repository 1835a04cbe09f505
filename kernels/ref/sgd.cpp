// sgd.cpp - see sgd.h.
#include "kernels/ref/sgd.h"

#include "kernels/lars_trust_ratio.h"

namespace dl::ref {

// For each i (all in float):
//   d = grad_scale (grad + weight_decay param)
//   if momentum != 0:  buf = first_step ? d : momentum buf + (1 - dampening) d
//                      d = nesterov ? d + momentum buf : buf
//   param = param - lr d
void sgd_update(float* param, float* momentum_buf, const float* grad, int64_t n, float lr, float momentum,
                float dampening, float weight_decay, bool nesterov, bool first_step, float grad_scale) {
  for (int64_t i = 0; i < n; ++i) {
    float d = grad[i];
    if (weight_decay != 0.0f) d = d + weight_decay * param[i];
    if (grad_scale != 1.0f) d = grad_scale * d;
    if (momentum != 0.0f) {
      const float buf = first_step ? d : momentum * momentum_buf[i] + (1.0f - dampening) * d;
      momentum_buf[i] = buf;
      d = nesterov ? d + momentum * buf : buf;
    }
    param[i] = param[i] - lr * d;
  }
}

// sum_i x_i^2;  x (n).
double sum_squares(const float* x, int64_t n) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(x[i]) * x[i];
  return sum;
}

void lars_update(float* param, float* momentum_buf, const float* grad, int64_t n, float lr, float momentum,
                 float dampening, float weight_decay, bool nesterov, bool first_step, float trust_coefficient,
                 float eps) {
  lars_update_from(sum_squares, sgd_update, param, momentum_buf, grad, n, lr, momentum, dampening, weight_decay,
                   nesterov, first_step, trust_coefficient, eps);
}

}  // namespace dl::ref
