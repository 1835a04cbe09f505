// common.cuh - what every CUDA kernel file shares (after llm.c's cuda_common.h): launch-size
// helpers, warp/block reductions with a fixed combination order (deterministic), and a
// per-channel sum over (outer, C, inner) tensors that never uses atomics.
#pragma once
#include <cuda_runtime.h>

#include <algorithm>
#include <climits>
#include <cstdint>

#include "kernels/cuda/cuda_backend.h"
#include "kernels/cuda/cuda_check.h"

namespace dl::cuda {

constexpr int kBlock = 256;  // default threads per block for elementwise kernels

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Blocks for a grid-stride loop over n elements: one element per thread, capped (the loop
// covers the rest), at least 1 so that n == 0 still launches a valid (empty) grid.
inline unsigned grid_for(int64_t n, int block = kBlock) {
  return static_cast<unsigned>(std::clamp<int64_t>(ceil_div(n, block), 1, int64_t{1} << 20));
}

#define DL_GRID_STRIDE_LOOP(i, n)                                                          \
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < (n); \
       i += static_cast<int64_t>(blockDim.x) * gridDim.x)

__device__ inline float warp_sum(float v) {
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}
__device__ inline float warp_max(float v) {
  for (int offset = 16; offset > 0; offset >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
  return v;
}

// Sum (max) over the block; every thread gets the result. blockDim.x must be a multiple of 32
// (at most 1024) and every thread of the block must call it (it synchronizes).
__device__ inline float block_sum(float v) {
  __shared__ float partial[32];
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, nwarps = blockDim.x / 32;
  v = warp_sum(v);
  __syncthreads();  // a previous call may still be reading partial[]
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  v = lane < nwarps ? partial[lane] : 0.0f;
  return warp_sum(v);
}
__device__ inline float block_max(float v) {
  __shared__ float partial[32];
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, nwarps = blockDim.x / 32;
  v = warp_max(v);
  __syncthreads();
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  v = lane < nwarps ? partial[lane] : -INFINITY;
  return warp_max(v);
}

// ---- per-channel sums ------------------------------------------------------------------------
// For a tensor laid out (outer, C, inner) - (N, C) with inner = 1, (N, C, H, W) with inner = H W -
// sums (C, NV) = sum over (o, i) of f(c, offset) where offset = (o C + c) inner + i and f adds
// NV values into acc[]. Deterministic: channel c is split into P fixed chunks of its
// M = outer * inner elements; each block reduces one chunk in a fixed order and writes a partial;
// a second kernel adds the P partials of each channel in order (in double).
// I: the index type, uint32_t when outer C inner <= INT32_MAX (nothing can wrap), else int64_t;
// the per-element j / inner is then a 32-bit division, several times cheaper than a 64-bit one.
template <int NV, typename F, typename I>
__global__ void channel_partials_kernel(float* partials, F f, I C, I inner, I M, I chunk) {
  const I p = blockIdx.x, P = gridDim.x;  // partials (C, P, NV)
  const I begin = p * chunk, end = min(M, begin + chunk);
  for (I c = blockIdx.y; c < C; c += gridDim.y) {  // grid.y is capped at 65535
    float acc[NV];
    for (int k = 0; k < NV; ++k) acc[k] = 0.0f;
    for (I j = begin + threadIdx.x; j < end; j += blockDim.x) {
      const I o = j / inner, i = j - o * inner;
      f(c, (o * C + c) * inner + i, acc);
    }
    for (int k = 0; k < NV; ++k) {
      const float s = block_sum(acc[k]);
      if (threadIdx.x == 0) partials[(static_cast<int64_t>(c) * P + p) * NV + k] = s;
    }
  }
}

template <int NV>
__global__ void channel_partials_combine_kernel(float* sums, const float* partials, int64_t C, int64_t P) {
  const int64_t c = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (c >= C) return;
  for (int k = 0; k < NV; ++k) {
    double s = 0.0;
    for (int64_t p = 0; p < P; ++p) s += partials[(c * P + p) * NV + k];
    sums[c * NV + k] = static_cast<float>(s);
  }
}

// sums: device (C, NV). The number of chunks depends on the shape only (not on the GPU), so a
// given shape always reduces in the same order.
template <int NV, typename F>
void channel_sums(float* sums, const F& f, int64_t outer, int64_t C, int64_t inner) {
  const int64_t M = outer * inner;
  const int64_t P = std::clamp<int64_t>(ceil_div(M, 8192), 1, 64);
  const int64_t chunk = ceil_div(std::max<int64_t>(M, 1), P);
  if (C == 0) return;
  ScratchBuffer partials(static_cast<size_t>(C * P * NV) * sizeof(float));
  const dim3 grid(static_cast<unsigned>(P), static_cast<unsigned>(std::min<int64_t>(C, 65535)));
  if (outer * C * inner <= INT32_MAX)
    channel_partials_kernel<NV, F, uint32_t><<<grid, kBlock, 0, stream()>>>(
        partials.as<float>(), f, static_cast<uint32_t>(C), static_cast<uint32_t>(inner), static_cast<uint32_t>(M),
        static_cast<uint32_t>(chunk));
  else
    channel_partials_kernel<NV, F, int64_t><<<grid, kBlock, 0, stream()>>>(partials.as<float>(), f, C, inner, M, chunk);
  CUDA_CHECK_LAUNCH();
  channel_partials_combine_kernel<NV><<<grid_for(C), kBlock, 0, stream()>>>(sums, partials.as<float>(), C, P);
  CUDA_CHECK_LAUNCH();
}

// f for channel_sums: acc[0] += x[offset].
struct LoadValue {
  const float* x;
  __device__ void operator()(int64_t, int64_t off, float* acc) const { acc[0] += x[off]; }
};

// ---- sum of n terms ---------------------------------------------------------------------------
// total = scale * sum_{i < n} f(i), deterministic: P fixed contiguous chunks (P from n only), one
// block per chunk (fixed tree order), then one thread adds the P partials in order in double.
template <typename F>
__global__ void sum_partials_kernel(float* partials, F f, int64_t n, int64_t chunk) {
  const int64_t begin = blockIdx.x * chunk, end = min(n, begin + chunk);
  float acc = 0.0f;
  for (int64_t i = begin + threadIdx.x; i < end; i += blockDim.x) acc += f(i);
  acc = block_sum(acc);
  if (threadIdx.x == 0) partials[blockIdx.x] = acc;
}

// out_f[0] = scale * total (if out_f), out_d[0] = scale * total in double (if out_d).
template <int Unused = 0>  // a template so that every .cu may instantiate it
__global__ void sum_combine_kernel(float* out_f, double* out_d, const float* partials, int64_t P,
                                          double scale) {
  if (threadIdx.x != 0 || blockIdx.x != 0) return;
  double s = 0.0;
  for (int64_t p = 0; p < P; ++p) s += partials[p];
  if (out_f) out_f[0] = static_cast<float>(s * scale);
  if (out_d) out_d[0] = s * scale;
}

// Either output pointer may be null; both are device pointers.
template <typename F>
void sum_terms(float* out_f, double* out_d, const F& f, int64_t n, double scale) {
  const int64_t P = std::clamp<int64_t>(ceil_div(n, 16384), 1, 1024);
  const int64_t chunk = ceil_div(std::max<int64_t>(n, 1), P);
  ScratchBuffer partials(static_cast<size_t>(P) * sizeof(float));
  sum_partials_kernel<F><<<static_cast<unsigned>(P), kBlock, 0, stream()>>>(partials.as<float>(), f, n, chunk);
  CUDA_CHECK_LAUNCH();
  sum_combine_kernel<><<<1, 32, 0, stream()>>>(out_f, out_d, partials.as<float>(), P, scale);
  CUDA_CHECK_LAUNCH();
}

// Threads per block for a one-block-per-row kernel over rows of length D: a multiple of 32.
inline int row_block(int64_t D) { return static_cast<int>(std::clamp<int64_t>(ceil_div(D, 32) * 32, 32, 512)); }

}  // namespace dl::cuda
