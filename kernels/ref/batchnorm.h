// batchnorm.h - the reference batch normalization, and its fusion with ReLU.
//
// The input is viewed as (N, C, S) with S = H W (S = 1 for an (N, C) input); each channel c has
// its statistics over the M = N S values x[n, c, s]. Same arguments as the fast twin
// kernels/cpu/batchnorm.h and the CUDA twin kernels/cuda/batchnorm.h. Derivation of the backward:
// docs/batchnorm.md.
#pragma once
#include <cstdint>

namespace dl::ref {

// training:  mean[c] = (1/M) sum x,  var = (1/M) sum (x - mean)^2,  rstd[c] = 1 / sqrt(var + eps),
//            running_mean <- (1 - momentum) running_mean + momentum mean            (null: no update)
//            running_var  <- (1 - momentum) running_var  + momentum var M / (M - 1) (unbiased)
// eval:      mean[c] = running_mean[c], rstd[c] = 1 / sqrt(running_var[c] + eps)
// out[n, c, s] = (x - mean[c]) rstd[c] weight[c] + bias[c]   (weight, bias null: 1, 0)
void batchnorm_forward(float* out, float* mean, float* rstd, float* running_mean, float* running_var,
                       const float* inp, const float* weight, const float* bias, int64_t N, int64_t C,
                       int64_t S, bool training, float momentum, float eps);

// With xhat = (x - mean) rstd and sums over the M values of channel c:
//   dbias[c]   += sum dy,   dweight[c] += sum dy xhat                      (accumulated; null: skipped)
//   training:  dx = weight rstd (dy - (1/M) sum dy - xhat (1/M) sum dy xhat)   (written)
//   eval:      dx = weight rstd dy   (mean and rstd are constants)
void batchnorm_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                        const float* weight, const float* mean, const float* rstd, int64_t N, int64_t C,
                        int64_t S, bool training);

// out = relu(batchnorm(x)); relu(y) = y < 0 ? 0 : y, so a NaN passes through as in every relu here.
void batchnorm_relu_forward(float* out, float* mean, float* rstd, float* running_mean, float* running_var,
                            const float* inp, const float* weight, const float* bias, int64_t N, int64_t C,
                            int64_t S, bool training, float momentum, float eps);

// batchnorm_backward with dy replaced by dy [y > 0], y the batchnorm output recomputed from inp.
void batchnorm_relu_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                             const float* weight, const float* bias, const float* mean, const float* rstd, int64_t N,
                             int64_t C, int64_t S, bool training);

}  // namespace dl::ref
