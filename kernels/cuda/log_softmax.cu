// log_softmax.cu - row-wise log-softmax (CUDA twin of kernels/cpu/log_softmax.cpp), one block
// per row: y = (x - m) - log(sum_j exp(x_j - m)), m = max_j x_j;  dx = g - exp(y) sum_j g_j.
//
// Naive: a max kernel, an exp-sum kernel and a subtract kernel, each reading the matrix from
// DRAM. Here: one block per row, three sweeps over a row that stays in cache. Bound: memory,
// 8 B per element forward (read x, write y), 12 B backward (read g, y; write dx).
#include <cmath>

#include "kernels/cuda/common.cuh"
#include "kernels/cuda/log_softmax.h"

namespace dl::cuda {

namespace {

template <int BLOCK>
__global__ void log_softmax_forward_kernel(float* out, const float* inp, int64_t D) {
  const float* x = inp + blockIdx.x * D;
  float* y = out + blockIdx.x * D;
  float m = -INFINITY;
  for (int64_t j = threadIdx.x; j < D; j += blockDim.x) m = fmaxf(m, x[j]);
  m = block_max<BLOCK>(m);
  float s = 0.0f;
  for (int64_t j = threadIdx.x; j < D; j += blockDim.x) s += expf(x[j] - m);
  const float log_s = logf(block_sum<BLOCK>(s));
  for (int64_t j = threadIdx.x; j < D; j += blockDim.x) y[j] = (x[j] - m) - log_s;
}

template <int BLOCK>
__global__ void log_softmax_backward_kernel(float* dinp, const float* dout, const float* out, int64_t D) {
  const float* g = dout + blockIdx.x * D;
  const float* y = out + blockIdx.x * D;
  float* dx = dinp + blockIdx.x * D;
  float gs = 0.0f;
  for (int64_t j = threadIdx.x; j < D; j += blockDim.x) gs += g[j];
  gs = block_sum<BLOCK>(gs);
  for (int64_t j = threadIdx.x; j < D; j += blockDim.x) dx[j] = g[j] - expf(y[j]) * gs;
}

}  // namespace

void log_softmax_forward(float* out, const float* inp, int64_t N, int64_t D) {
  if (N == 0) return;
  with_row_block(D, [&](auto b) {
    constexpr int B = decltype(b)::value;
    log_softmax_forward_kernel<B><<<static_cast<unsigned>(N), B, 0, stream()>>>(out, inp, D);
  });
  CUDA_CHECK_LAUNCH();
}

void log_softmax_backward(float* dinp, const float* dout, const float* out, int64_t N, int64_t D) {
  if (!dinp || N == 0) return;
  with_row_block(D, [&](auto b) {
    constexpr int B = decltype(b)::value;
    log_softmax_backward_kernel<B><<<static_cast<unsigned>(N), B, 0, stream()>>>(dinp, dout, out, D);
  });
  CUDA_CHECK_LAUNCH();
}

}  // namespace dl::cuda
