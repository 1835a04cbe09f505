// cross_entropy.h - fused softmax + cross-entropy on the CPU (llm.c fused_classifier style).
// loss = mean_i (lse_i - logits[i, label_i]), lse_i = log sum_k exp(logits[i, k]).
// Labels are int32 in [0, K); the autograd op checks the range before calling the kernels.
// Derivation: docs/derivations.md#cross-entropy
#pragma once
#include <cstdint>

namespace dl::cpu {

#include "kernels/signatures/cross_entropy.inc"  // the signatures and their contract

}  // namespace dl::cpu
