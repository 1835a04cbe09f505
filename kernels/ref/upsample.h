// upsample.h - plain nearest-neighbour x2 upsampling: out[n, c, 2i + a, 2j + b] = inp[n, c, i, j].
// Fast twin: kernels/cpu/upsample.h (same arguments).
// Derivation: docs/derivations.md#upsample
#pragma once
#include <cstdint>

namespace dl::ref {

#include "kernels/signatures/upsample.inc"  // the signatures and their contract

}  // namespace dl::ref
