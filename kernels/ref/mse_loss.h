// mse_loss.h - plain mean squared error: loss = mean((pred - target)^2) over n elements.
// Fast twin: kernels/cpu/mse_loss.h (same arguments).
// Derivation: docs/derivations.md#mse
#pragma once
#include <cstdint>

namespace dl::ref {

#include "kernels/signatures/mse_loss.inc"  // the signatures and their contract

}  // namespace dl::ref
