// cross_entropy.cu - fused softmax + cross-entropy (CUDA twin of kernels/cpu/cross_entropy.cpp,
// llm.c fused_classifier style). Forward: one block per row computes the log-sum-exp online
// (running max m and sum s, rescaled s *= exp(m_old - m_new)), so the probabilities are never
// stored; row losses lse - logit[label] are then averaged by a deterministic sum. Backward writes
// dlogits = (exp(logit - lse) - onehot(label)) dloss / N from the saved lse.
//
// Naive: a softmax kernel that stores the (N, K) probabilities, a log and a gather, then a mean
// (three passes and a buffer). Here: one block per row, one read of the logits (online
// log-sum-exp), only lse (N floats) saved; the backward recomputes p = exp(logit - lse).
// Bound: memory (4 B read per logit forward; 4 B read + 4 B written backward); at K = 10 the
// launches dominate.
// Labels are checked here, not on the host (that would copy them back: a synchronization per
// call): a label outside [0, K) is never used as an index; its row loss and gradient row are NaN
// and the forward reports it as a deferred error (deferred_error.h), raised by the backend at the
// next synchronization.
#include <cmath>

#include "kernels/cuda/common.cuh"
#include "kernels/cuda/cross_entropy.h"
#include "kernels/cuda/deferred_error.h"

namespace dl::cuda {

namespace {

template <int BLOCK>
__global__ void ce_forward_kernel(float* row_loss, float* lse, const float* logits, const int32_t* labels,
                                  int64_t K, DeferredErrorRecord* error) {
  const int64_t i = blockIdx.x;
  const float* x = logits + i * K;
  float m = -INFINITY, s = 0.0f;
  for (int64_t k = threadIdx.x; k < K; k += blockDim.x) {
    const float v = x[k];
    if (v > m) {
      s = s * expf(m - v) + 1.0f;  // exp(-inf) = 0 on the first element
      m = v;
    } else {
      s += expf(v - m);
    }
  }
  const float m_all = block_max<BLOCK>(m);
  const float s_all = block_sum<BLOCK>(m == -INFINITY ? 0.0f : s * expf(m - m_all));
  if (threadIdx.x == 0) {
    const float l = m_all + logf(s_all);
    lse[i] = l;
    const int32_t y = labels[i];
    if (y >= 0 && y < K) {
      row_loss[i] = l - x[y];
    } else {
      row_loss[i] = NAN;
      report_deferred_error(error, DeferredErrorKind::LabelOutOfRange, i, y, K);
    }
  }
}

struct RowLoss {
  const float* v;
  __device__ float operator()(int64_t i) const { return v[i]; }
};

__global__ void ce_backward_kernel(float* dlogits, const float* dloss, const float* logits, const int32_t* labels,
                                   const float* lse, int64_t N, int64_t K) {
  const float scale = dloss[0] / static_cast<float>(N);
  DL_GRID_STRIDE_LOOP(idx, N * K) {
    const int64_t i = idx / K, k = idx - i * K;
    const int32_t y = labels[i];
    const float p = expf(logits[idx] - lse[i]);
    dlogits[idx] = y >= 0 && y < K ? (p - (k == y ? 1.0f : 0.0f)) * scale : NAN;  // bad label: reported by the forward
  }
}

}  // namespace

void cross_entropy_forward(float* loss, float* lse, const float* logits, const int32_t* labels, int64_t N,
                           int64_t K) {
  if (N == 0) return;
  ScratchBuffer row_loss(static_cast<size_t>(N) * sizeof(float));
  with_row_block(K, [&](auto b) {
    constexpr int B = decltype(b)::value;
    ce_forward_kernel<B><<<static_cast<unsigned>(N), B, 0, stream()>>>(row_loss.as<float>(), lse, logits, labels, K,
                                                                     deferred_error_slot());
  });
  CUDA_CHECK_LAUNCH();
  sum_terms(loss, nullptr, RowLoss{row_loss.as<float>()}, N, 1.0 / static_cast<double>(N));
}

void cross_entropy_backward(float* dlogits, const float* dloss, const float* logits, const int32_t* labels,
                            const float* lse, int64_t N, int64_t K) {
  if (!dlogits || N * K == 0) return;
  ce_backward_kernel<<<grid_for(N * K), kBlock, 0, stream()>>>(dlogits, dloss, logits, labels, lse, N, K);
  CUDA_CHECK_LAUNCH();
}

}  // namespace dl::cuda
