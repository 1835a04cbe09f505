// common.cuh - what every CUDA kernel file shares (after llm.c's cuda_common.h): launch-size
// helpers, warp/block reductions with a fixed combination order (deterministic; the block ones
// are cub::BlockReduce), a per-channel sum over (outer, C, inner) tensors and a whole-range sum
// (cub::DeviceReduce), neither of which uses atomics.
#pragma once
#include <cuda_runtime.h>

#include <cub/block/block_reduce.cuh>
#include <cub/device/device_reduce.cuh>
#include <thrust/iterator/counting_iterator.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <type_traits>

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

// Sum over one warp (xor butterfly, fixed order; every lane gets it): avgpool's one-warp-per-plane
// reduction, where a block-wide cub::BlockReduce would not fit (several planes per block).
__device__ inline float warp_sum(float v) {
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}

// ---- block reductions (cub::BlockReduce) -----------------------------------------------------
// Sum (max) over a block of exactly BLOCK threads (BLOCK == blockDim.x, a multiple of 32, at most
// 1024); every thread gets the result. Every thread of the block must call it (it synchronizes).
// Deterministic: BLOCK_REDUCE_WARP_REDUCTIONS reduces each warp with a fixed shuffle tree, then
// thread 0 adds the warp aggregates in warp order, so for a fixed BLOCK the combination order
// never changes (cub/block/specializations/block_reduce_warp_reductions.cuh). The result is
// broadcast through shared memory; the leading barrier protects it (and the temp storage) from a
// previous call in the same kernel whose threads may still be reading it.
struct MaxOp {
  __device__ float operator()(float a, float b) const { return fmaxf(a, b); }
};

template <int BLOCK>
__device__ inline float block_sum(float v) {
  static_assert(BLOCK % 32 == 0 && BLOCK <= 1024, "block_sum: BLOCK must be a multiple of 32, at most 1024");
  using Reduce = cub::BlockReduce<float, BLOCK, cub::BLOCK_REDUCE_WARP_REDUCTIONS>;
  __shared__ typename Reduce::TempStorage tmp;
  __shared__ float result;
  __syncthreads();
  const float s = Reduce(tmp).Sum(v);  // valid in thread 0 only
  if (threadIdx.x == 0) result = s;
  __syncthreads();
  return result;
}
template <int BLOCK>
__device__ inline float block_max(float v) {
  static_assert(BLOCK % 32 == 0 && BLOCK <= 1024, "block_max: BLOCK must be a multiple of 32, at most 1024");
  using Reduce = cub::BlockReduce<float, BLOCK, cub::BLOCK_REDUCE_WARP_REDUCTIONS>;
  __shared__ typename Reduce::TempStorage tmp;
  __shared__ float result;
  __syncthreads();
  const float m = Reduce(tmp).Reduce(v, MaxOp{});
  if (threadIdx.x == 0) result = m;
  __syncthreads();
  return result;
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
      const float s = block_sum<kBlock>(acc[k]);
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
// total = scale * sum_{i < n} f(i): cub::DeviceReduce::TransformReduce over the indices 0..n-1,
// every term converted to double before it is added (double accumulation throughout).
// Why CUB is acceptable here (CCCL 3.0, shipped with nvcc 13): the temp-storage DeviceReduce API
// is documented as "run-to-run deterministic for pseudo-associative reduction (e.g. addition of
// floating point types) on the same GPU device" (cub/device/device_reduce.cuh). Its dispatch
// (cub/device/dispatch/dispatch_reduce.cuh) has no atomics: a grid that is a fixed even share of
// the tiles (GridEvenShare; its size depends on n, the SM count and the kernel's occupancy, all
// fixed on a given GPU), each block reducing its tiles in a fixed order ending in a BlockReduce,
// then one block reducing the per-block partials in order. (The environment-based overload with
// cuda::execution::determinism::not_guaranteed may use atomics; we do not use it.) What it does
// not promise is the same bits on a GPU with another SM count or compute capability - the same
// guarantee as cuBLAS, and the double accumulation keeps such differences near 1e-16 relative.
template <typename F>
struct TermAsDouble {
  F f;
  __device__ double operator()(int64_t i) const { return static_cast<double>(f(i)); }
};

// out_f[0] = scale * total (if out_f), out_d[0] = scale * total in double (if out_d).
template <int Unused = 0>  // a template so that every .cu may instantiate it
__global__ void scale_total_kernel(float* out_f, double* out_d, const double* total, double scale) {
  const double s = total[0] * scale;
  if (out_f) out_f[0] = static_cast<float>(s);
  if (out_d) out_d[0] = s;
}

// Either output pointer may be null; both are device pointers. n == 0 gives 0.
template <typename F>
void sum_terms(float* out_f, double* out_d, const F& f, int64_t n, double scale) {
  const thrust::counting_iterator<int64_t> first(0);
  const TermAsDouble<F> term{f};
  ScratchBuffer total(sizeof(double));
  size_t temp_bytes = 0;
  CUDA_CHECK(cub::DeviceReduce::TransformReduce(nullptr, temp_bytes, first, total.as<double>(), n,
                                                ::cuda::std::plus<double>{}, term, 0.0, stream()));
  ScratchBuffer temp(std::max<size_t>(temp_bytes, 1));  // never null: a null pointer means "query the size"
  CUDA_CHECK(cub::DeviceReduce::TransformReduce(temp.as<void>(), temp_bytes, first, total.as<double>(), n,
                                                ::cuda::std::plus<double>{}, term, 0.0, stream()));
  CUDA_CHECK_LAUNCH();
  scale_total_kernel<><<<1, 1, 0, stream()>>>(out_f, out_d, total.as<double>(), scale);
  CUDA_CHECK_LAUNCH();
}

// Threads per block for a one-block-per-row kernel over rows of length D: the power of two
// >= D, clamped to [32, 512]. The row kernels are templates on it (cub::BlockReduce needs the
// block size at compile time); launch them with with_row_block.
inline int row_block(int64_t D) {
  int b = 32;
  while (b < 512 && b < D) b *= 2;
  return b;
}

// Calls launch(std::integral_constant<int, B>{}) with B = row_block(D); in the generic lambda,
// `constexpr int B = decltype(b)::value;` then `kernel<B><<<rows, B, 0, stream()>>>(...)`.
template <typename Launch>
void with_row_block(int64_t D, Launch&& launch) {
  switch (row_block(D)) {
    case 32: launch(std::integral_constant<int, 32>{}); break;
    case 64: launch(std::integral_constant<int, 64>{}); break;
    case 128: launch(std::integral_constant<int, 128>{}); break;
    case 256: launch(std::integral_constant<int, 256>{}); break;
    default: launch(std::integral_constant<int, 512>{}); break;
  }
}

}  // namespace dl::cuda
