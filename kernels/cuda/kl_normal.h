// kl_normal.h - CUDA twins of kernels/cpu/kl_normal.h: same arguments, device pointers.
// Derivation: docs/derivations.md#kl-normal
#pragma once
#include <cstdint>

namespace dl::cuda {

// loss (1) = mean 0.5 (mu^2 + exp(logvar) - 1 - logvar); mu, logvar (n).
void kl_normal_forward(float* loss, const float* mu, const float* logvar, int64_t n);
// dmu = mu dloss/n, dlogvar = 0.5 (exp(logvar) - 1) dloss/n; written (=), either may be null.
void kl_normal_backward(float* dmu, float* dlogvar, const float* dloss, const float* mu, const float* logvar,
                        int64_t n);

}  // namespace dl::cuda
