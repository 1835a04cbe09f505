// kl_normal.h - KL(N(mu, exp(logvar)) || N(0, 1)) on the CPU, averaged over all n = N*D elements:
// loss = mean 0.5 (mu^2 + exp(logvar) - 1 - logvar)  (torch kl_divergence(q, p).mean()).
// Derivation: docs/derivations.md#kl-normal
#pragma once
#include <cstdint>

namespace dl::cpu {

// loss (1) written. mu, logvar (n).
void kl_normal_forward(float* loss, const float* mu, const float* logvar, int64_t n);
// dmu = mu dloss/n, dlogvar = 0.5 (exp(logvar) - 1) dloss/n; both written (=), either may be null.
void kl_normal_backward(float* dmu, float* dlogvar, const float* dloss, const float* mu, const float* logvar,
                        int64_t n);

}  // namespace dl::cpu
