// batchnorm.cu - batch normalization and the fused batchnorm + ReLU (CUDA twins of
// kernels/cpu/batchnorm.cpp; derivation in docs/batchnorm.md). The input is (N, C, S), S = H W;
// statistics per channel over M = N S values.
//
// Forward (training), one read of x for the statistics: channel c's M values are split into P
// fixed chunks (P from the shape only); block (p, c) runs Welford per thread over its strided
// elements of chunk p and merges the 256 thread states with Chan's formula in a fixed tree order
// (cub::BlockReduce: a shuffle tree per warp, then thread 0 over the warp states in order),
// writing one partial (count, mean, M2). A per-channel kernel merges the P partials in order, in double, and writes mean, rstd and
// the running statistics. No atomics anywhere: a given shape always reduces in the same order.
//   Welford:  n += 1; d = x - mean; mean += d / n; M2 += d (x - mean)
//   Chan:     n = na + nb; delta = mb - ma; mean = ma + delta nb / n;
//             M2 = M2a + M2b + delta^2 na nb / n
// Then one fused normalize + affine (+ ReLU) pass: y = (x - mean) (w rstd) + b.
//
// Backward: one reduction pass (channel_sums, fixed order) of g and g (x - mean), g = dy (or
// dy [y > 0] for the fused ReLU, y recomputed with the forward's expression), a per-channel kernel
// for dweight/dbias and the dx coefficients, and one elementwise dx pass:
//   dx = w rstd (g - mean(g) - xhat mean(g xhat))   (training)
//   dx = w rstd g                                    (eval: the statistics are constants)
//
// Naive: a mean pass and a variance pass with atomicAdd per channel (contention on few
// channels, and a summation order that changes from run to run), then a normalize pass and a
// separate ReLU. Here: statistics from one read (Welford/Chan, fixed-order partials), one fused
// normalize + affine (+ ReLU) pass; backward one reduction pass and one elementwise pass.
// Bound: memory. Forward 12 B per element (x read twice, y written once), backward 20 B
// (x, dy read for the sums; x, dy read and dx written).
#include <climits>
#include <cmath>
#include <cstdint>

#include "kernels/cuda/batchnorm.h"
#include "kernels/cuda/common.cuh"

namespace dl::cuda {

namespace {

// The forward's output before the ReLU; __fmaf_rn so that the forward and the backward's mask
// recomputation round identically whatever the compiler contracts.
__device__ __forceinline__ float bn_affine(float x, float m, float scale, float shift) {
  return __fmaf_rn(x - m, scale, shift);
}

// Chan's merge of state b into state a (a = a (+) b). Empty states are skipped (no 0/0).
__device__ __forceinline__ void welford_merge(float& n, float& mean, float& m2, float nb, float mb, float m2b) {
  if (nb == 0.0f) return;
  if (n == 0.0f) {
    n = nb, mean = mb, m2 = m2b;
    return;
  }
  const float nt = n + nb, delta = mb - mean, f = nb / nt;
  mean += delta * f;
  m2 += m2b + delta * delta * n * f;  // delta^2 na nb / n, with the old na
  n = nt;
}

// (count, mean, M2) of a set of values, and Chan's merge as the operator of a cub::BlockReduce.
// BLOCK_REDUCE_WARP_REDUCTIONS merges each warp's 32 states with a fixed shuffle tree, then thread
// 0 merges the warp states in warp order: a fixed order for a fixed block size (kBlock).
struct WelfordState {
  float n, mean, m2;
};
struct WelfordMerge {
  __device__ WelfordState operator()(WelfordState a, const WelfordState& b) const {
    welford_merge(a.n, a.mean, a.m2, b.n, b.mean, b.m2);
    return a;
  }
};
using BlockWelford = cub::BlockReduce<WelfordState, kBlock, cub::BLOCK_REDUCE_WARP_REDUCTIONS>;

// grid (P, min(C, 65535)); partials (C, P, 3) = (count, mean, M2) of chunk p of channel c, the
// chunk being values j in [p chunk, min(M, (p + 1) chunk)) of the channel, j = n S + s.
// I: uint32_t when N C S <= INT32_MAX (no index can wrap: all stay below 2^31 + 2^31), else
// int64_t; 32-bit divisions for j / S are several times cheaper than 64-bit ones.
// blockDim.x == kBlock (BlockWelford's size).
template <typename I>
__global__ void welford_partials_kernel(float* partials, const float* x, I C, I S, I M, I chunk) {
  __shared__ typename BlockWelford::TempStorage tmp;
  const I p = blockIdx.x, P = gridDim.x;
  const I begin = p * chunk, end = min(M, begin + chunk);
  for (I c = blockIdx.y; c < C; c += gridDim.y) {
    float n = 0.0f, mean = 0.0f, m2 = 0.0f;
    for (I j = begin + threadIdx.x; j < end; j += blockDim.x) {
      const I o = j / S, s = j - o * S;
      const float v = x[(o * C + c) * S + s];
      n += 1.0f;  // exact: a thread sees at most chunk / blockDim values (chunk <= M / P + 1)
      const float d = v - mean;
      mean += d / n;
      m2 += d * (v - mean);
    }
    const WelfordState t = BlockWelford(tmp).Reduce(WelfordState{n, mean, m2}, WelfordMerge{});  // thread 0
    if (threadIdx.x == 0) {
      float* out = partials + (static_cast<int64_t>(c) * P + p) * 3;
      out[0] = t.n, out[1] = t.mean, out[2] = t.m2;
    }
    __syncthreads();  // tmp is reused by the next channel's reduction
  }
}

// One thread per channel: merge the P partials in order (double), then mean, rstd and the running
// statistics exactly as the CPU: biased variance normalizes, the unbiased one (M2 / (M - 1)) feeds
// running_var, running = (1 - momentum) running + momentum batch, in float.
__global__ void welford_finalize_kernel(float* mean, float* rstd, float* running_mean, float* running_var,
                                        const float* partials, int64_t C, int64_t P, int64_t M, float momentum,
                                        float eps) {
  DL_GRID_STRIDE_LOOP(c, C) {
    double n = 0.0, mu = 0.0, m2 = 0.0;
    for (int64_t p = 0; p < P; ++p) {
      const float* q = partials + (c * P + p) * 3;
      const double nb = q[0], mb = q[1], m2b = q[2];
      if (nb == 0.0) continue;
      const double nt = n + nb, delta = mb - mu, f = nb / nt;
      mu += delta * f;
      m2 += m2b + delta * delta * n * f;
      n = nt;
    }
    const float m = static_cast<float>(mu);
    mean[c] = m;
    rstd[c] = static_cast<float>(1.0 / sqrt(m2 / M + eps));  // biased variance normalizes
    if (running_mean) running_mean[c] = (1.0f - momentum) * running_mean[c] + momentum * m;
    if (running_var) {
      const double unbiased = M > 1 ? m2 / (M - 1) : m2;
      running_var[c] = (1.0f - momentum) * running_var[c] + momentum * static_cast<float>(unbiased);
    }
  }
}

__global__ void eval_stats_kernel(float* mean, float* rstd, const float* running_mean, const float* running_var,
                                  int64_t C, float eps) {
  DL_GRID_STRIDE_LOOP(c, C) {
    mean[c] = running_mean[c];
    rstd[c] = static_cast<float>(1.0 / sqrt(static_cast<double>(running_var[c]) + eps));
  }
}

// Fused normalize + affine (+ ReLU) over all N C S elements. I is the index type: uint32_t when
// n <= INT32_MAX (then idx + stride < 2^32 cannot wrap: stride <= 2^20 blocks x 256 = 2^28), so the
// per-element channel index (idx / S) % C is a 32-bit division instead of a much slower 64-bit one.
template <bool Relu, typename I>
__global__ void normalize_kernel(float* out, const float* inp, const float* mean, const float* rstd,
                                 const float* weight, const float* bias, I C, I S, I n) {
  for (I idx = blockIdx.x * blockDim.x + threadIdx.x; idx < n; idx += static_cast<I>(blockDim.x) * gridDim.x) {
    const I c = (idx / S) % C;
    const float scale = (weight ? weight[c] : 1.0f) * rstd[c], shift = bias ? bias[c] : 0.0f;
    const float y = bn_affine(inp[idx], mean[c], scale, shift);
    out[idx] = Relu && y < 0.0f ? 0.0f : y;  // std::max(y, 0.0f) as the CPU: NaN propagates
  }
}

// The gradient reaching the batchnorm output: dy, or dy [y > 0] behind the fused ReLU.
template <bool Relu>
struct BnGrad {
  const float* dy;
  const float* x;
  const float* mean;
  const float* rstd;
  const float* weight;
  const float* bias;
  __device__ float operator()(int64_t c, int64_t off) const {
    if (!Relu) return dy[off];
    const float scale = (weight ? weight[c] : 1.0f) * rstd[c], shift = bias ? bias[c] : 0.0f;
    return bn_affine(x[off], mean[c], scale, shift) > 0.0f ? dy[off] : 0.0f;
  }
};

template <bool Relu>
struct GradSums {  // acc[0] += g, acc[1] += g (x - mean[c])
  BnGrad<Relu> grad;
  __device__ void operator()(int64_t c, int64_t off, float* acc) const {
    const float g = grad(c, off);
    acc[0] += g;
    acc[1] += g * (grad.x[off] - grad.mean[c]);
  }
};

// coef (C, 3) = (k, a, b) with dx = k (g - a - (x - mean) b); also dweight/dbias +=.
__global__ void backward_coef_kernel(float* coef, float* dweight, float* dbias, const float* sums,
                                     const float* weight, const float* rstd, int64_t C, int64_t M, bool training) {
  DL_GRID_STRIDE_LOOP(c, C) {
    const float r = rstd[c];
    const double sum_dy = sums[2 * c], sum_dy_xhat = static_cast<double>(sums[2 * c + 1]) * r;
    if (dbias) dbias[c] += static_cast<float>(sum_dy);
    if (dweight) dweight[c] += static_cast<float>(sum_dy_xhat);
    coef[3 * c] = (weight ? weight[c] : 1.0f) * r;
    coef[3 * c + 1] = training ? static_cast<float>(sum_dy / M) : 0.0f;
    coef[3 * c + 2] = training ? static_cast<float>(sum_dy_xhat / M) * r : 0.0f;
  }
}

template <bool Relu, typename I>  // I: as normalize_kernel's
__global__ void dinp_kernel(float* dinp, BnGrad<Relu> grad, const float* coef, I C, I S, I n) {
  for (I idx = blockIdx.x * blockDim.x + threadIdx.x; idx < n; idx += static_cast<I>(blockDim.x) * gridDim.x) {
    const I c = (idx / S) % C;
    const float g = grad(c, idx);
    const float* k = coef + 3 * static_cast<int64_t>(c);  // 3 c may not fit in 32 bits
    dinp[idx] = k[0] * (g - k[1] - (grad.x[idx] - grad.mean[c]) * k[2]);
  }
}

template <bool Relu>
void forward_impl(float* out, float* mean, float* rstd, float* running_mean, float* running_var, const float* inp,
                  const float* weight, const float* bias, int64_t N, int64_t C, int64_t S, bool training,
                  float momentum, float eps) {
  const int64_t M = N * S, n = N * C * S;
  if (C == 0) return;
  if (training) {
    // P from the shape only: about 8192 values per block, at most 64 blocks per channel.
    const int64_t P = std::clamp<int64_t>(ceil_div(M, 8192), 1, 64);
    const int64_t chunk = ceil_div(std::max<int64_t>(M, 1), P);
    ScratchBuffer partials(static_cast<size_t>(C * P * 3) * sizeof(float));
    const dim3 grid(static_cast<unsigned>(P), static_cast<unsigned>(std::min<int64_t>(C, 65535)));
    if (n <= INT32_MAX)
      welford_partials_kernel<uint32_t><<<grid, kBlock, 0, stream()>>>(
          partials.as<float>(), inp, static_cast<uint32_t>(C), static_cast<uint32_t>(S), static_cast<uint32_t>(M),
          static_cast<uint32_t>(chunk));
    else
      welford_partials_kernel<int64_t><<<grid, kBlock, 0, stream()>>>(partials.as<float>(), inp, C, S, M, chunk);
    CUDA_CHECK_LAUNCH();
    welford_finalize_kernel<<<grid_for(C), kBlock, 0, stream()>>>(mean, rstd, running_mean, running_var,
                                                                 partials.as<float>(), C, P, M, momentum, eps);
    CUDA_CHECK_LAUNCH();
  } else {
    eval_stats_kernel<<<grid_for(C), kBlock, 0, stream()>>>(mean, rstd, running_mean, running_var, C, eps);
    CUDA_CHECK_LAUNCH();
  }
  if (n == 0) return;
  if (n <= INT32_MAX)
    normalize_kernel<Relu, uint32_t><<<grid_for(n), kBlock, 0, stream()>>>(
        out, inp, mean, rstd, weight, bias, static_cast<uint32_t>(C), static_cast<uint32_t>(S), static_cast<uint32_t>(n));
  else
    normalize_kernel<Relu, int64_t><<<grid_for(n), kBlock, 0, stream()>>>(out, inp, mean, rstd, weight, bias, C, S, n);
  CUDA_CHECK_LAUNCH();
}

template <bool Relu>
void backward_impl(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                   const float* weight, const float* bias, const float* mean, const float* rstd, int64_t N, int64_t C,
                   int64_t S, bool training) {
  const int64_t M = N * S, n = N * C * S;
  if (C == 0 || (!dinp && !dweight && !dbias)) return;
  const BnGrad<Relu> grad{dout, inp, mean, rstd, weight, bias};
  ScratchBuffer sums(static_cast<size_t>(2 * C) * sizeof(float));
  ScratchBuffer coef(static_cast<size_t>(3 * C) * sizeof(float));
  channel_sums<2>(sums.as<float>(), GradSums<Relu>{grad}, N, C, S);
  backward_coef_kernel<<<grid_for(C), kBlock, 0, stream()>>>(coef.as<float>(), dweight, dbias, sums.as<float>(),
                                                            weight, rstd, C, M, training);
  CUDA_CHECK_LAUNCH();
  if (!dinp || n == 0) return;
  if (n <= INT32_MAX)
    dinp_kernel<Relu, uint32_t><<<grid_for(n), kBlock, 0, stream()>>>(
        dinp, grad, coef.as<float>(), static_cast<uint32_t>(C), static_cast<uint32_t>(S), static_cast<uint32_t>(n));
  else
    dinp_kernel<Relu, int64_t><<<grid_for(n), kBlock, 0, stream()>>>(dinp, grad, coef.as<float>(), C, S, n);
  CUDA_CHECK_LAUNCH();
}

}  // namespace

void batchnorm_forward(float* out, float* mean, float* rstd, float* running_mean, float* running_var,
                       const float* inp, const float* weight, const float* bias, int64_t N, int64_t C,
                       int64_t S, bool training, float momentum, float eps) {
  forward_impl<false>(out, mean, rstd, running_mean, running_var, inp, weight, bias, N, C, S, training, momentum,
                      eps);
}

void batchnorm_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                        const float* weight, const float* mean, const float* rstd, int64_t N, int64_t C,
                        int64_t S, bool training) {
  backward_impl<false>(dinp, dweight, dbias, dout, inp, weight, nullptr, mean, rstd, N, C, S, training);
}

void batchnorm_relu_forward(float* out, float* mean, float* rstd, float* running_mean, float* running_var,
                            const float* inp, const float* weight, const float* bias, int64_t N, int64_t C,
                            int64_t S, bool training, float momentum, float eps) {
  forward_impl<true>(out, mean, rstd, running_mean, running_var, inp, weight, bias, N, C, S, training, momentum,
                     eps);
}

void batchnorm_relu_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                             const float* weight, const float* bias, const float* mean, const float* rstd, int64_t N,
                             int64_t C, int64_t S, bool training) {
  backward_impl<true>(dinp, dweight, dbias, dout, inp, weight, bias, mean, rstd, N, C, S, training);
}

}  // namespace dl::cuda
