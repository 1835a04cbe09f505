// reduce.h - sums over all elements or over one dimension on the CPU; mean = sum * (1 / count),
// passed in as `scale`. Deterministic: the order of additions depends on the shape only, never on
// the thread count (see deterministic_sum.h); accumulation is in double.
// Derivation: docs/derivations.md#elementwise
#pragma once
#include <cstdint>

namespace dl::cpu {

#include "kernels/signatures/reduce.inc"  // the signatures and their contract

}  // namespace dl::cpu
