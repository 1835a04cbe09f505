// sgd.cpp - see sgd.h.
#include "kernels/cpu/sgd.h"

#include "kernels/lars_trust_ratio.h"

#include <cstddef>
#include <vector>

namespace dl::cpu {

void sgd_update(float* param, float* momentum_buf, const float* grad, int64_t n, float lr, float momentum,
                float dampening, float weight_decay, bool nesterov, bool first_step, float grad_scale) {
  const float one_minus_damp = 1.0f - dampening;
#pragma omp parallel for simd schedule(static) if (n > 65536)
  for (int64_t i = 0; i < n; ++i) {
    float d = weight_decay != 0.0f ? grad[i] + weight_decay * param[i] : grad[i];
    if (grad_scale != 1.0f) d *= grad_scale;
    if (momentum != 0.0f) {
      const float buf = first_step ? d : momentum * momentum_buf[i] + one_minus_damp * d;
      momentum_buf[i] = buf;
      d = nesterov ? d + momentum * buf : buf;
    }
    param[i] -= lr * d;
  }
}

double sum_squares(const float* x, int64_t n) {
  constexpr int64_t kChunk = 16384;
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<double> partial(static_cast<size_t>(chunks), 0.0);
#pragma omp parallel for schedule(static) if (chunks > 4)
  for (int64_t c = 0; c < chunks; ++c) {
    double s = 0.0;
    const int64_t end = (c + 1) * kChunk < n ? (c + 1) * kChunk : n;
    for (int64_t i = c * kChunk; i < end; ++i) s += static_cast<double>(x[i]) * x[i];
    partial[c] = s;
  }
  double total = 0.0;
  for (double s : partial) total += s;
  return total;
}

void lars_update(float* param, float* momentum_buf, const float* grad, int64_t n, float lr, float momentum,
                 float dampening, float weight_decay, bool nesterov, bool first_step, float trust_coefficient,
                 float eps) {
  lars_update_from(sum_squares, sgd_update, param, momentum_buf, grad, n, lr, momentum, dampening, weight_decay,
                   nesterov, first_step, trust_coefficient, eps);
}

}  // namespace dl::cpu
