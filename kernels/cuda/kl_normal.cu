// kl_normal.cu - KL(N(mu, exp(logvar)) || N(0, 1)) averaged over n elements (CUDA twin of
// kernels/cpu/kl_normal.cpp): loss = mean 0.5 (mu^2 + exp(logvar) - 1 - logvar).
//
// Naive: a kernel writing the n terms to a buffer, then a sum with atomicAdd (order-dependent
// result). Here: the terms are computed inside cub's reduction (no buffer), summed in double in a
// fixed tree; backward one elementwise pass. Bound: memory, 8 B per element forward, 16 B
// backward (read mu, logvar; write both gradients).
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/kl_normal.h"

namespace dl::cuda {

namespace {
struct KlTerm {
  const float* mu;
  const float* logvar;
  __device__ float operator()(int64_t i) const {
    return 0.5f * (mu[i] * mu[i] + expf(logvar[i]) - 1.0f - logvar[i]);
  }
};
__global__ void kl_backward_kernel(float* dmu, float* dlogvar, const float* dloss, const float* mu,
                                   const float* logvar, int64_t n) {
  const float scale = dloss[0] / static_cast<float>(n);
  DL_GRID_STRIDE_LOOP(i, n) {
    if (dmu) dmu[i] = mu[i] * scale;
    if (dlogvar) dlogvar[i] = 0.5f * (expf(logvar[i]) - 1.0f) * scale;
  }
}
}  // namespace

void kl_normal_forward(float* loss, const float* mu, const float* logvar, int64_t n) {
  sum_terms(loss, nullptr, KlTerm{mu, logvar}, n, n > 0 ? 1.0 / static_cast<double>(n) : 0.0);
}

void kl_normal_backward(float* dmu, float* dlogvar, const float* dloss, const float* mu, const float* logvar,
                        int64_t n) {
  if ((!dmu && !dlogvar) || n == 0) return;
  kl_backward_kernel<<<grid_for(n), kBlock, 0, stream()>>>(dmu, dlogvar, dloss, mu, logvar, n);
  CUDA_CHECK_LAUNCH();
}

}  // namespace dl::cuda
