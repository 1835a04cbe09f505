// reduce.h - plain sums over all elements or over one dimension; mean = sum * (1 / count), passed
// in as `scale`. Fast twin: kernels/cpu/reduce.h (same arguments; blocked, parallel sums).
// Derivation: docs/derivations.md#elementwise
#pragma once
#include <cstdint>

namespace dl::ref {

#include "kernels/signatures/reduce.inc"  // the signatures and their contract

}  // namespace dl::ref
