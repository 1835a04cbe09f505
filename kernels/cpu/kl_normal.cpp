// kl_normal.cpp - see kl_normal.h. Fixed chunks with double partials combined in chunk order:
// the same bits for any number of threads.
#include "kernels/cpu/kl_normal.h"

#include <cmath>
#include <vector>

namespace dl::cpu {

static constexpr int64_t kChunk = 8192;

void kl_normal_forward(float* loss, const float* mu, const float* logvar, int64_t n) {
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<double> partial(chunks);
#pragma omp parallel for schedule(static) if (chunks > 1)
  for (int64_t c = 0; c < chunks; ++c) {
    const int64_t begin = c * kChunk, end = begin + kChunk < n ? begin + kChunk : n;
    double s = 0.0;
    for (int64_t i = begin; i < end; ++i)
      s += 0.5 * (static_cast<double>(mu[i]) * mu[i] + std::exp(static_cast<double>(logvar[i])) - 1.0 - logvar[i]);
    partial[c] = s;
  }
  double total = 0.0;
  for (int64_t c = 0; c < chunks; ++c) total += partial[c];
  loss[0] = n > 0 ? static_cast<float>(total / n) : 0.0f;
}

void kl_normal_backward(float* dmu, float* dlogvar, const float* dloss, const float* mu, const float* logvar,
                        int64_t n) {
  const float scale = dloss[0] / static_cast<float>(n);
#pragma omp parallel for schedule(static) if (n > 65536)
  for (int64_t i = 0; i < n; ++i) {
    if (dmu) dmu[i] = mu[i] * scale;
    if (dlogvar) dlogvar[i] = 0.5f * (std::exp(logvar[i]) - 1.0f) * scale;
  }
}

}  // namespace dl::cpu
