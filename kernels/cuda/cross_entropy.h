// cross_entropy.h - CUDA twins of kernels/cpu/cross_entropy.h: same arguments, device pointers
// (loss and dloss are single device floats; labels already range-checked by the autograd op).
// Derivation: docs/derivations.md#cross-entropy
#pragma once
#include <cstdint>

namespace dl::cuda {

// loss (1) written; lse (N) saved. logits (N, K), labels int32 (N).
void cross_entropy_forward(float* loss, float* lse, const float* logits, const int32_t* labels, int64_t N,
                           int64_t K);
// dlogits (N, K) = (softmax - onehot) * dloss[0] / N.
void cross_entropy_backward(float* dlogits, const float* dloss, const float* logits, const int32_t* labels,
                            const float* lse, int64_t N, int64_t K);

}  // namespace dl::cuda
