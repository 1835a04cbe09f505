// cross_entropy.cpp - see cross_entropy.h.
#include "kernels/ref/cross_entropy.h"

#include <algorithm>
#include <cmath>

namespace dl::ref {

// Per row i of logits x (N, K):  m = max_k x_ik,  lse_i = m + log sum_k exp(x_ik - m)
// (subtracting m keeps every exp in (0, 1]);  loss = (1/N) sum_i (lse_i - x_i,label_i).
// Both sums are accumulated in double.
void cross_entropy_forward(float* loss, float* lse, const float* logits, const int32_t* labels, int64_t N,
                           int64_t K) {
  double total = 0.0;
  for (int64_t i = 0; i < N; ++i) {
    const float* x = logits + i * K;
    float m = x[0];
    for (int64_t k = 1; k < K; ++k) m = std::max(m, x[k]);
    double sum_exp = 0.0;
    for (int64_t k = 0; k < K; ++k) sum_exp += std::exp(static_cast<double>(x[k] - m));
    lse[i] = m + static_cast<float>(std::log(sum_exp));
    total += static_cast<double>(lse[i]) - x[labels[i]];
  }
  loss[0] = static_cast<float>(total / static_cast<double>(N));
}

// dlogits[i, k] = (exp(x_ik - lse_i) - [k == label_i]) * dloss / N;  shapes (N, K).
void cross_entropy_backward(float* dlogits, const float* dloss, const float* logits, const int32_t* labels,
                            const float* lse, int64_t N, int64_t K) {
  const float scale = dloss[0] / static_cast<float>(N);
  for (int64_t i = 0; i < N; ++i)
    for (int64_t k = 0; k < K; ++k) {
      const float p = std::exp(logits[i * K + k] - lse[i]);
      const float onehot = k == labels[i] ? 1.0f : 0.0f;
      dlogits[i * K + k] = (p - onehot) * scale;
    }
}

}  // namespace dl::ref
