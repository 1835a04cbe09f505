// batchnorm.h - CUDA twins of kernels/cpu/batchnorm.h: same arguments and semantics, device
// pointers. x is viewed as (N, C, S), S = H*W; statistics per channel over M = N*S values.
// Derivation: docs/batchnorm.md#backward
#pragma once
#include <cstdint>

namespace dl::cuda {

// out (N, C, S); mean, rstd (C) written; running_mean/var (C) updated in training (null = skip).
void batchnorm_forward(float* out, float* mean, float* rstd, float* running_mean, float* running_var,
                       const float* inp, const float* weight, const float* bias, int64_t N, int64_t C,
                       int64_t S, bool training, float momentum, float eps);
// dinp (N, C, S) written (=); dweight, dbias (C) accumulated (+=); any may be null.
void batchnorm_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                        const float* weight, const float* mean, const float* rstd, int64_t N, int64_t C,
                        int64_t S, bool training);

// Fused batchnorm + ReLU: out = max(y, 0); the backward recomputes the mask [y > 0] from inp, mean,
// rstd, weight, bias with the forward's exact expression. Any S (the CPU's is used for S > 1).
void batchnorm_relu_forward(float* out, float* mean, float* rstd, float* running_mean, float* running_var,
                            const float* inp, const float* weight, const float* bias, int64_t N, int64_t C,
                            int64_t S, bool training, float momentum, float eps);
void batchnorm_relu_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                             const float* weight, const float* bias, const float* mean, const float* rstd, int64_t N,
                             int64_t C, int64_t S, bool training);

}  // namespace dl::cuda
