// batchnorm.cu - batch normalization (CUDA twin of kernels/cpu/batchnorm.cpp, derivation in
// docs/batchnorm.md). The input is (N, C, S), S = H W; statistics per channel over M = N S.
//
// Forward (training): two deterministic per-channel reductions (channel_sums: fixed chunks, no
// atomics) - sum x, then sum (x - mean)^2 (two passes, as the CPU, so no E[x^2] - E[x]^2
// cancellation) - a per-channel kernel for mean/rstd/running stats, then one fused
// normalize + affine pass. Backward: one reduction of (sum dy, sum dy (x - mean)) per channel, a
// per-channel kernel for dweight/dbias and the dx coefficients, and one fused dx pass:
//   dx = w rstd (dy - mean(dy) - xhat mean(dy xhat))   (training)
//   dx = w rstd dy                                      (eval: the statistics are constants)
#include <cmath>

#include "kernels/cuda/batchnorm.h"
#include "kernels/cuda/common.cuh"

namespace dl::cuda {

namespace {

struct SquaredDeviation {  // acc[0] += (x - mean[c])^2
  const float* x;
  const float* mean;
  __device__ void operator()(int64_t c, int64_t off, float* acc) const {
    const float d = x[off] - mean[c];
    acc[0] += d * d;
  }
};

struct GradSums {  // acc[0] += dy, acc[1] += dy (x - mean[c])
  const float* dy;
  const float* x;
  const float* mean;
  __device__ void operator()(int64_t c, int64_t off, float* acc) const {
    const float g = dy[off];
    acc[0] += g;
    acc[1] += g * (x[off] - mean[c]);
  }
};

__global__ void mean_kernel(float* mean, const float* sums, int64_t C, int64_t M) {
  DL_GRID_STRIDE_LOOP(c, C) mean[c] = static_cast<float>(static_cast<double>(sums[c]) / M);
}

__global__ void train_stats_kernel(float* rstd, float* running_mean, float* running_var, const float* mean,
                                   const float* sq, int64_t C, int64_t M, float momentum, float eps) {
  DL_GRID_STRIDE_LOOP(c, C) {
    const double var = static_cast<double>(sq[c]) / M;  // biased: used to normalize
    rstd[c] = static_cast<float>(1.0 / sqrt(var + eps));
    if (running_mean) running_mean[c] = (1.0f - momentum) * running_mean[c] + momentum * mean[c];
    if (running_var) {
      const double unbiased = M > 1 ? static_cast<double>(sq[c]) / (M - 1) : static_cast<double>(sq[c]);
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

__global__ void normalize_kernel(float* out, const float* inp, const float* mean, const float* rstd,
                                 const float* weight, const float* bias, int64_t C, int64_t S, int64_t n) {
  DL_GRID_STRIDE_LOOP(idx, n) {
    const int64_t c = (idx / S) % C;
    const float scale = (weight ? weight[c] : 1.0f) * rstd[c], shift = bias ? bias[c] : 0.0f;
    out[idx] = (inp[idx] - mean[c]) * scale + shift;
  }
}

// coef (C, 3) = (k, a, b) with dx = k (dy - a - (x - mean) b); also dweight/dbias +=.
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

__global__ void dinp_kernel(float* dinp, const float* dout, const float* inp, const float* mean, const float* coef,
                            int64_t C, int64_t S, int64_t n) {
  DL_GRID_STRIDE_LOOP(idx, n) {
    const int64_t c = (idx / S) % C;
    dinp[idx] = coef[3 * c] * (dout[idx] - coef[3 * c + 1] - (inp[idx] - mean[c]) * coef[3 * c + 2]);
  }
}

}  // namespace

void batchnorm_forward(float* out, float* mean, float* rstd, float* running_mean, float* running_var,
                       const float* inp, const float* weight, const float* bias, int64_t N, int64_t C,
                       int64_t S, bool training, float momentum, float eps) {
  const int64_t M = N * S, n = N * C * S;
  if (C == 0) return;
  if (training) {
    ScratchBuffer sums(static_cast<size_t>(C) * sizeof(float));
    channel_sums<1>(sums.as<float>(), LoadValue{inp}, N, C, S);
    mean_kernel<<<grid_for(C), kBlock, 0, stream()>>>(mean, sums.as<float>(), C, M);
    CUDA_CHECK_LAUNCH();
    channel_sums<1>(sums.as<float>(), SquaredDeviation{inp, mean}, N, C, S);
    train_stats_kernel<<<grid_for(C), kBlock, 0, stream()>>>(rstd, running_mean, running_var, mean,
                                                            sums.as<float>(), C, M, momentum, eps);
    CUDA_CHECK_LAUNCH();
  } else {
    eval_stats_kernel<<<grid_for(C), kBlock, 0, stream()>>>(mean, rstd, running_mean, running_var, C, eps);
    CUDA_CHECK_LAUNCH();
  }
  if (n == 0) return;
  normalize_kernel<<<grid_for(n), kBlock, 0, stream()>>>(out, inp, mean, rstd, weight, bias, C, S, n);
  CUDA_CHECK_LAUNCH();
}

void batchnorm_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                        const float* weight, const float* mean, const float* rstd, int64_t N, int64_t C,
                        int64_t S, bool training) {
  const int64_t M = N * S, n = N * C * S;
  if (C == 0) return;
  ScratchBuffer sums(static_cast<size_t>(2 * C) * sizeof(float));
  ScratchBuffer coef(static_cast<size_t>(3 * C) * sizeof(float));
  channel_sums<2>(sums.as<float>(), GradSums{dout, inp, mean}, N, C, S);
  backward_coef_kernel<<<grid_for(C), kBlock, 0, stream()>>>(coef.as<float>(), dweight, dbias, sums.as<float>(),
                                                            weight, rstd, C, M, training);
  CUDA_CHECK_LAUNCH();
  if (!dinp || n == 0) return;
  dinp_kernel<<<grid_for(n), kBlock, 0, stream()>>>(dinp, dout, inp, mean, coef.as<float>(), C, S, n);
  CUDA_CHECK_LAUNCH();
}

}  // namespace dl::cuda
