// add_relu.h - the plain residual join relu(a + b) of the ResNet blocks and its gradient.
// Fast twin: kernels/cpu/add_relu.h (same arguments).
// Derivation: docs/derivations.md#elementwise
#pragma once
#include <cstdint>

namespace dl::ref {

#include "kernels/signatures/add_relu.inc"  // the signatures and their contract

}  // namespace dl::ref
