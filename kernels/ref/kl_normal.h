// kl_normal.h - plain KL(N(mu, exp(logvar)) || N(0, 1)) averaged over n = N*D elements
// (torch kl_divergence(q, p).mean()). Fast twin: kernels/cpu/kl_normal.h (same arguments).
// Derivation: docs/derivations.md#kl-normal
#pragma once
#include <cstdint>

namespace dl::ref {

#include "kernels/signatures/kl_normal.inc"  // the signatures and their contract

}  // namespace dl::ref
