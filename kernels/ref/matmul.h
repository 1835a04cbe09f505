// matmul.h - plain matrix products: the general matmul and the linear layer y = x W^T + b.
// Fast twin: kernels/cpu/matmul.h (same arguments; it calls OpenBLAS).
// Any gradient pointer may be null to skip it. Activation gradients (da, db, dinp) are written
// (=); parameter gradients (dweight, dbias) are accumulated (+=).
// Derivation: docs/derivations.md#matmul (linear: #linear)
#pragma once
#include <cstdint>

namespace dl::ref {

#include "kernels/signatures/matmul.inc"  // the signatures and their contract

}  // namespace dl::ref
