// kl_normal.h - plain KL(N(mu, exp(logvar)) || N(0, 1)) averaged over n = N*D elements
// (torch kl_divergence(q, p).mean()). Fast twin: kernels/cpu/kl_normal.h (same arguments).
// Derivation: docs/derivations.md#kl-normal
#pragma once
#include <cstdint>

namespace dl::ref {

// loss (1) = mean 0.5 (mu^2 + exp(logvar) - 1 - logvar) (0 when n = 0). mu, logvar (n).
void kl_normal_forward(float* loss, const float* mu, const float* logvar, int64_t n);
// dmu = mu dloss/n, dlogvar = 0.5 (exp(logvar) - 1) dloss/n; written (=), either may be null.
void kl_normal_backward(float* dmu, float* dlogvar, const float* dloss, const float* mu, const float* logvar,
                        int64_t n);

}  // namespace dl::ref
