// upsample.h - nearest-neighbour x2 upsampling on the CPU: out[n, c, 2i + a, 2j + b] = inp[n, c, i, j].
// Derivation: docs/derivations.md#upsample
#pragma once
#include <cstdint>

namespace dl::cpu {

#include "kernels/signatures/upsample.inc"  // the signatures and their contract

}  // namespace dl::cpu
