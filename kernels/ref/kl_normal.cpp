// kl_normal.cpp - see kl_normal.h.
#include "kernels/ref/kl_normal.h"

#include <cmath>

namespace dl::ref {

// loss = (1/n) sum_i 0.5 (mu_i^2 + exp(logvar_i) - 1 - logvar_i); mu, logvar (n). Sum in double.
void kl_normal_forward(float* loss, const float* mu, const float* logvar, int64_t n) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double m = mu[i], lv = logvar[i];
    sum += 0.5 * (m * m + std::exp(lv) - 1.0 - lv);
  }
  loss[0] = n > 0 ? static_cast<float>(sum / static_cast<double>(n)) : 0.0f;
}

// dmu_i = mu_i dloss / n;  dlogvar_i = 0.5 (exp(logvar_i) - 1) dloss / n;  shapes (n).
void kl_normal_backward(float* dmu, float* dlogvar, const float* dloss, const float* mu, const float* logvar,
                        int64_t n) {
  const float scale = dloss[0] / static_cast<float>(n);
  for (int64_t i = 0; i < n; ++i) {
    if (dmu) dmu[i] = mu[i] * scale;
    if (dlogvar) dlogvar[i] = 0.5f * (std::exp(logvar[i]) - 1.0f) * scale;
  }
}

}  // namespace dl::ref
