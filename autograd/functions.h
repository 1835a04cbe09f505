// functions.h - every differentiable operation, by name. Each is implemented in
// autograd/ops/NAME.cpp on top of the kernels kernels/cpu/NAME.* and kernels/cuda/NAME.*, and
// tested in tests/test_NAME.cpp (values, gradients against finite differences, bad shapes).
// Shapes use N = batch, C = channels, H/W = height/width, D = features.
#pragma once
#include <cstdint>

#include "autograd/tape.h"

namespace dl {

// ---- matmul.cpp ------------------------------------------------------------------------------
// (M, K) x (K, N) -> (M, N); trans_a / trans_b use the transposed operand, as in BLAS.
Tensor matmul(const Tensor& a, const Tensor& b, bool trans_a = false, bool trans_b = false);
// y = x W^T + b: x (N, in), W (out, in), b (out) or undefined -> (N, out).
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());

// ---- conv2d.cpp ------------------------------------------------------------------------------
// x (N, C, H, W), weight (OC, C, KH, KW), bias (OC) or undefined ->
// (N, OC, (H + 2 pad - KH) / stride + 1, (W + 2 pad - KW) / stride + 1). im2col + GEMM.
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, int stride, int pad);

// ---- upsample.cpp ----------------------------------------------------------------------------
// Nearest-neighbour x2: (N, C, H, W) -> (N, C, 2H, 2W).
Tensor upsample_nearest2x(const Tensor& x);

// ---- avgpool.cpp -----------------------------------------------------------------------------
// Global average pool: (N, C, H, W) -> (N, C).
Tensor global_avg_pool(const Tensor& x);

// ---- binary.cpp ------------------------------------------------------------------------------
// a op b where b has a's shape, or is broadcast: one element (scalar), (C) per channel of an
// (N, C) or (N, C, H, W) a, or (N, 1) per row of an (N, D) a. Anything else names both shapes.
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor add_scalar(const Tensor& a, float s);
// ---- add_relu.cpp ----------------------------------------------------------------------------
// relu(a + b) for same-shape a, b in one pass (the ResNet residual join); same values/gradients.
Tensor add_relu(const Tensor& a, const Tensor& b);
Tensor mul_scalar(const Tensor& a, float s);

// ---- unary.cpp -------------------------------------------------------------------------------
Tensor relu(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor square(const Tensor& x);
Tensor neg(const Tensor& x);

// ---- reduce.cpp ------------------------------------------------------------------------------
Tensor sum(const Tensor& x);   // all elements -> shape ()
Tensor mean(const Tensor& x);  // all elements -> shape ()
// Over one dim (removed from the shape): (N, D) with dim 1 -> (N); (N, C, H, W) dim 0 -> (C, H, W).
Tensor sum(const Tensor& x, int dim);
Tensor mean(const Tensor& x, int dim);

// ---- batchnorm.cpp ---------------------------------------------------------------------------
// x (N, C) or (N, C, H, W); weight, bias (C). Train mode: normalize with the batch mean and biased
// variance over N (and H, W), and update running_mean/var (unbiased variance) with momentum:
// r = (1 - momentum) r + momentum * batch_stat. Eval mode: normalize with the running stats.
// running_mean/var are plain tensors (buffers), never differentiated.
Tensor batchnorm(const Tensor& x, const Tensor& weight, const Tensor& bias, Tensor& running_mean,
                 Tensor& running_var, bool training, float momentum, float eps);
// relu(batchnorm(...)) with the same values and gradients, as one fused node that keeps no separate
// ReLU activation (kernels/cpu/batchnorm.h, kernels/cuda/batchnorm.h), for (N, C) and (N, C, H, W).
Tensor batchnorm_relu(const Tensor& x, const Tensor& weight, const Tensor& bias, Tensor& running_mean,
                      Tensor& running_var, bool training, float momentum, float eps);

// ---- l2_normalize.cpp ------------------------------------------------------------------------
// Each row of (N, D) divided by max(||row||_2, eps), as torch.nn.functional.normalize.
Tensor l2_normalize(const Tensor& x, float eps = 1e-12f);

// ---- log_softmax.cpp -------------------------------------------------------------------------
// Row-wise log-softmax of (N, D).
Tensor log_softmax(const Tensor& x);

// ---- cross_entropy.cpp -----------------------------------------------------------------------
// Fused softmax + cross-entropy: logits (N, K), labels int32 (N) in [0, K) -> mean loss, shape ().
Tensor cross_entropy(const Tensor& logits, const Tensor& labels);

// ---- mse_loss.cpp ----------------------------------------------------------------------------
// mean((pred - target)^2) over all elements -> shape (). target gets no gradient.
Tensor mse_loss(const Tensor& pred, const Tensor& target);

// ---- kl_normal.cpp ---------------------------------------------------------------------------
// KL(N(mu, exp(logvar)) || N(0, 1)) = 0.5 (mu^2 + exp(logvar) - 1 - logvar), averaged over batch
// and latent dims (torch kl_divergence(q, p).mean(), as the reference code does). mu, logvar (N, D).
Tensor kl_normal(const Tensor& mu, const Tensor& logvar);

// ---- nt_xent.cpp -----------------------------------------------------------------------------
// (a) The reference code's loss: e1, e2 (N, D) (already L2-normalized),
//     S = e1 e2^T / tau, loss = -mean_i log_softmax(S)_ii. One direction, N - 1 cross-view negatives.
Tensor nt_xent_cross_view(const Tensor& e1, const Tensor& e2, float tau);
// (b) Standard SimCLR NT-Xent over 2N samples z = [z1; z2] (rows L2-normalized by the caller):
//     S = z z^T / tau with the diagonal masked out, positive of i is i +- N, mean over all 2N rows.
Tensor nt_xent(const Tensor& z1, const Tensor& z2, float tau);

// ---- shape_ops.cpp ---------------------------------------------------------------------------
Tensor reshape(const Tensor& x, const Shape& shape);  // a view; gradient reshaped back
Tensor flatten(const Tensor& x);                       // (N, ...) -> (N, rest)
// Columns [begin, end) of an (N, D) tensor -> (N, end - begin) (the VAE's mean/logvar split).
Tensor narrow_cols(const Tensor& x, int64_t begin, int64_t end);

}  // namespace dl
