// cross_entropy.cpp - see cross_entropy.h. Rows are independent (parallel); the mean over rows
// is summed serially in row order, so the loss does not depend on the thread count.
#include "kernels/cpu/cross_entropy.h"

#include <cmath>

#include "kernels/cpu/fast_exp.h"

namespace dl::cpu {

void cross_entropy_forward(float* loss, float* lse, const float* logits, const int32_t* labels, int64_t N,
                           int64_t K) {
#pragma omp parallel for schedule(static) if (N * K > 32768)
  for (int64_t i = 0; i < N; ++i) {
    const float* x = logits + i * K;
    const float mx = row_max(x, K);
    lse[i] = mx + std::log(row_sum_exp(x, K, mx));  // every term in (0, 1]: no cancellation
  }
  double total = 0.0;
  for (int64_t i = 0; i < N; ++i) total += static_cast<double>(lse[i]) - logits[i * K + labels[i]];
  loss[0] = static_cast<float>(total / N);
}

void cross_entropy_backward(float* dlogits, const float* dloss, const float* logits, const int32_t* labels,
                            const float* lse, int64_t N, int64_t K) {
  const float scale = dloss[0] / static_cast<float>(N);
#pragma omp parallel for schedule(static) if (N * K > 32768)
  for (int64_t i = 0; i < N; ++i) {
    const float* x = logits + i * K;
    float* dx = dlogits + i * K;
    for (int64_t k = 0; k < K; ++k) dx[k] = fast_exp(x[k] - lse[i]) * scale;
    dx[labels[i]] -= scale;
  }
}

}  // namespace dl::cpu
