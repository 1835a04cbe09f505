// kl_normal.h - KL(N(mu, exp(logvar)) || N(0, 1)) on the CPU, averaged over all n = N*D elements:
// loss = mean 0.5 (mu^2 + exp(logvar) - 1 - logvar)  (torch kl_divergence(q, p).mean()).
// Derivation: docs/derivations.md#kl-normal
#pragma once
#include <cstdint>

namespace dl::cpu {

#include "kernels/signatures/kl_normal.inc"  // the signatures and their contract

}  // namespace dl::cpu
