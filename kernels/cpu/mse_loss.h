// mse_loss.h - mean squared error on the CPU: loss = mean((pred - target)^2) over n elements.
// Derivation: docs/derivations.md#mse
#pragma once
#include <cstdint>

namespace dl::cpu {

// loss (1) written. pred, target (n).
void mse_loss_forward(float* loss, const float* pred, const float* target, int64_t n);
// dpred (n) written (=): 2 (pred - target) dloss[0] / n. The target gets no gradient.
void mse_loss_backward(float* dpred, const float* dloss, const float* pred, const float* target, int64_t n);

}  // namespace dl::cpu
