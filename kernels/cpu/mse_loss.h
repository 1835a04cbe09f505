// mse_loss.h - mean squared error on the CPU: loss = mean((pred - target)^2) over n elements.
// Derivation: docs/derivations.md#mse
#pragma once
#include <cstdint>

namespace dl::cpu {

#include "kernels/signatures/mse_loss.inc"  // the signatures and their contract

}  // namespace dl::cpu
