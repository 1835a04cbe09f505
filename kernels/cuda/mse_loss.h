// mse_loss.h - CUDA twins of kernels/cpu/mse_loss.h: same arguments, device pointers.
// Derivation: docs/derivations.md#mse
#pragma once
#include <cstdint>

namespace dl::cuda {

// loss (1) = mean((pred - target)^2); pred, target (n).
void mse_loss_forward(float* loss, const float* pred, const float* target, int64_t n);
// dpred (n) = 2 (pred - target) dloss[0] / n.
void mse_loss_backward(float* dpred, const float* dloss, const float* pred, const float* target, int64_t n);

}  // namespace dl::cuda
