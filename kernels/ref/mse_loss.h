// mse_loss.h - plain mean squared error: loss = mean((pred - target)^2) over n elements.
// Fast twin: kernels/cpu/mse_loss.h (same arguments).
// Derivation: docs/derivations.md#mse
#pragma once
#include <cstdint>

namespace dl::ref {

// loss (1) written (0 when n = 0). pred, target (n).
void mse_loss_forward(float* loss, const float* pred, const float* target, int64_t n);
// dpred (n) written (=): 2 (pred - target) dloss[0] / n. The target gets no gradient.
void mse_loss_backward(float* dpred, const float* dloss, const float* pred, const float* target, int64_t n);

}  // namespace dl::ref
