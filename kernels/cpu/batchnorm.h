// batchnorm.h - batch normalization on the CPU (llm.c layernorm style: forward saves mean and
// rstd per channel, backward is one fused pass). The input is viewed as (N, C, S) with S = H*W
// (S = 1 for an (N, C) input); the statistics are per channel over M = N*S values.
// Derivation: docs/batchnorm.md#backward
#pragma once
#include <cstdint>

namespace dl::cpu {

// out (N, C, S) = (inp - mean) * rstd * weight + bias.
// training: mean (C), rstd (C) = 1 / sqrt(var_biased + eps) from the batch (needs M > 1), and
//   running_mean/var (C) <- (1 - momentum) r + momentum * {mean, var_unbiased}; null = no update.
// !training: mean/rstd are written from running_mean/var (which are then required) so backward
//   can use them whatever happens to the running stats later.
// weight / bias may be null (treated as 1 / 0).
void batchnorm_forward(float* out, float* mean, float* rstd, float* running_mean, float* running_var,
                       const float* inp, const float* weight, const float* bias, int64_t N, int64_t C,
                       int64_t S, bool training, float momentum, float eps);

// dinp (N, C, S) written (=); dweight, dbias (C) accumulated (+=); any may be null.
// training: dx = w rstd (dy - mean(dy) - xhat mean(dy xhat)); !training: dx = w rstd dy.
void batchnorm_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                        const float* weight, const float* mean, const float* rstd, int64_t N, int64_t C,
                        int64_t S, bool training);

// Fused batchnorm + ReLU for (N, C, S) inputs with S > 1 (the CPU's ResNet blocks): out = max(y, 0)
// with y the batchnorm output above, in one pass and without a separate ReLU activation. The
// backward recomputes the mask [y > 0] from inp, mean, rstd, weight and bias (the forward's
// expression, so the same mask) and is otherwise batchnorm_backward with dout masked.
void batchnorm_relu_forward(float* out, float* mean, float* rstd, float* running_mean, float* running_var,
                            const float* inp, const float* weight, const float* bias, int64_t N, int64_t C,
                            int64_t S, bool training, float momentum, float eps);
void batchnorm_relu_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                             const float* weight, const float* bias, const float* mean, const float* rstd, int64_t N,
                             int64_t C, int64_t S, bool training);

}  // namespace dl::cpu
