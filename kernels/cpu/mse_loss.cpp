// mse_loss.cpp - see mse_loss.h. The sum is split into fixed chunks of kChunk elements; inside a
// chunk 8 float lanes (about 1024 terms each) are summed into a double partial, and the partials
// are combined in chunk order: the same bits for any number of threads.
#include "kernels/cpu/mse_loss.h"

#include <vector>

namespace dl::cpu {

static constexpr int64_t kChunk = 8192;

void mse_loss_forward(float* loss, const float* pred, const float* target, int64_t n) {
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<double> partial(chunks);
#pragma omp parallel for schedule(static) if (chunks > 1)
  for (int64_t c = 0; c < chunks; ++c) {
    const int64_t begin = c * kChunk, end = begin + kChunk < n ? begin + kChunk : n;
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};  // 8 lanes: vectorizable, fixed order
    int64_t i = begin;
    for (; i + 8 <= end; i += 8)
      for (int l = 0; l < 8; ++l) {
        const float d = pred[i + l] - target[i + l];
        acc[l] += d * d;
      }
    double s = 0.0;
    for (; i < end; ++i) s += static_cast<double>(pred[i] - target[i]) * (pred[i] - target[i]);
    for (int l = 0; l < 8; ++l) s += acc[l];
    partial[c] = s;
  }
  double total = 0.0;
  for (int64_t c = 0; c < chunks; ++c) total += partial[c];
  loss[0] = n > 0 ? static_cast<float>(total / n) : 0.0f;
}

void mse_loss_backward(float* dpred, const float* dloss, const float* pred, const float* target, int64_t n) {
  const float scale = 2.0f * dloss[0] / static_cast<float>(n);
#pragma omp parallel for schedule(static) if (n > 65536)
  for (int64_t i = 0; i < n; ++i) dpred[i] = scale * (pred[i] - target[i]);
}

}  // namespace dl::cpu
