// mse_loss.cpp - see mse_loss.h.
#include "kernels/ref/mse_loss.h"

namespace dl::ref {

// loss = (1/n) sum_i (pred_i - target_i)^2; shapes (n). The sum is accumulated in double.
void mse_loss_forward(float* loss, const float* pred, const float* target, int64_t n) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(pred[i]) - target[i];
    sum += d * d;
  }
  loss[0] = n > 0 ? static_cast<float>(sum / static_cast<double>(n)) : 0.0f;
}

// dpred_i = 2 (pred_i - target_i) dloss / n; shapes (n).
void mse_loss_backward(float* dpred, const float* dloss, const float* pred, const float* target, int64_t n) {
  const float scale = 2.0f * dloss[0] / static_cast<float>(n);
  for (int64_t i = 0; i < n; ++i) dpred[i] = scale * (pred[i] - target[i]);
}

}  // namespace dl::ref
