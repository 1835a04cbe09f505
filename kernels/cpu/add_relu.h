// add_relu.h - the residual join of the ResNet blocks, relu(a + b), in one pass (n floats).
//   forward   out = max(a + b, 0)
//   backward  g = dout [out > 0], written (=) once: it is the gradient of both a and b.
// The mask comes from the output, as relu's does, so no input needs to be kept.
// Derivation: docs/derivations.md#elementwise
#pragma once
#include <cstdint>

namespace dl::cpu {

#include "kernels/signatures/add_relu.inc"  // the signatures and their contract

}  // namespace dl::cpu
