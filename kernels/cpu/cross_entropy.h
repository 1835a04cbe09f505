// cross_entropy.h - fused softmax + cross-entropy on the CPU (llm.c fused_classifier style).
// loss = mean_i (lse_i - logits[i, label_i]), lse_i = log sum_k exp(logits[i, k]).
// Labels are int32 in [0, K); the autograd op checks the range before calling the kernels.
// Derivation: docs/derivations.md#cross-entropy
#pragma once
#include <cstdint>

namespace dl::cpu {

// loss (1) written; lse (N) = per-row logsumexp, saved for the backward. logits (N, K), labels (N).
void cross_entropy_forward(float* loss, float* lse, const float* logits, const int32_t* labels, int64_t N,
                           int64_t K);
// dlogits (N, K) written (=): (softmax - onehot(label)) * dloss[0] / N.
void cross_entropy_backward(float* dlogits, const float* dloss, const float* logits, const int32_t* labels,
                            const float* lse, int64_t N, int64_t K);

}  // namespace dl::cpu
