// cross_entropy.h - plain softmax + cross-entropy over rows of logits, with integer labels.
// Fast twin: kernels/cpu/cross_entropy.h (same arguments; it uses a vectorized exp and OpenMP).
// Derivation: docs/derivations.md#cross-entropy
#pragma once
#include <cstdint>

namespace dl::ref {

// loss (1) = mean_i (lse_i - logits[i, label_i]);  lse (N) = log sum_k exp(logits[i, k]), kept for
// the backward.  logits (N, K), labels (N) in [0, K).
void cross_entropy_forward(float* loss, float* lse, const float* logits, const int32_t* labels, int64_t N,
                           int64_t K);
// dlogits (N, K) written (=): (softmax - onehot(label)) * dloss[0] / N.
void cross_entropy_backward(float* dlogits, const float* dloss, const float* logits, const int32_t* labels,
                            const float* lse, int64_t N, int64_t K);

}  // namespace dl::ref
