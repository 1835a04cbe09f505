// l2_normalize.cu - rows divided by max(||row||, eps) (CUDA twin of kernels/cpu/l2_normalize.cpp).
// One block per row: a block_sum for the norm (forward) or for y . g (backward), then the row.
//
// Naive: separate kernels for squares, row sums, sqrt and the division (temporaries, four
// launches), or one thread per row (few threads, strided reads). Here: one block per row: a
// block reduction, then the row again from cache. Bound: memory, 8 B per element forward
// (read x, write y), 12 B backward (read y, g; write dx); at 256 x 128 launch latency dominates.
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/l2_normalize.h"

namespace dl::cuda {

namespace {

template <int BLOCK>
__global__ void l2_forward_kernel(float* out, float* norm, const float* inp, int64_t D, float eps) {
  const int64_t n = blockIdx.x;
  const float* x = inp + n * D;
  float ss = 0.0f;
  for (int64_t j = threadIdx.x; j < D; j += blockDim.x) ss += x[j] * x[j];
  const float nrm = sqrtf(block_sum<BLOCK>(ss));
  if (threadIdx.x == 0) norm[n] = nrm;
  const float denom = fmaxf(nrm, eps);
  for (int64_t j = threadIdx.x; j < D; j += blockDim.x) out[n * D + j] = x[j] / denom;
}

// norm > eps: dx = (g - y (y . g)) / norm;  otherwise dx = g / eps.
template <int BLOCK>
__global__ void l2_backward_kernel(float* dinp, const float* dout, const float* out, const float* norm, int64_t D,
                                   float eps) {
  const int64_t n = blockIdx.x;
  const float* g = dout + n * D;
  const float* y = out + n * D;
  float dot = 0.0f;
  for (int64_t j = threadIdx.x; j < D; j += blockDim.x) dot += y[j] * g[j];
  dot = block_sum<BLOCK>(dot);
  const float r = norm[n];
  for (int64_t j = threadIdx.x; j < D; j += blockDim.x)
    dinp[n * D + j] = r > eps ? (g[j] - y[j] * dot) / r : g[j] / eps;
}

}  // namespace

void l2_normalize_forward(float* out, float* norm, const float* inp, int64_t N, int64_t D, float eps) {
  if (N == 0) return;
  with_row_block(D, [&](auto b) {
    constexpr int B = decltype(b)::value;
    l2_forward_kernel<B><<<static_cast<unsigned>(N), B, 0, stream()>>>(out, norm, inp, D, eps);
  });
  CUDA_CHECK_LAUNCH();
}

void l2_normalize_backward(float* dinp, const float* dout, const float* /*inp*/, const float* out, const float* norm,
                           int64_t N, int64_t D, float eps) {
  if (!dinp || N == 0) return;
  with_row_block(D, [&](auto b) {
    constexpr int B = decltype(b)::value;
    l2_backward_kernel<B><<<static_cast<unsigned>(N), B, 0, stream()>>>(dinp, dout, out, norm, D, eps);
  });
  CUDA_CHECK_LAUNCH();
}

}  // namespace dl::cuda
