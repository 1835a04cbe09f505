// avgpool.h - global average pooling on the CPU: out[n, c] = mean over (h, w) of inp[n, c, h, w].
// Derivation: docs/derivations.md#avgpool
#pragma once
#include <cstdint>

namespace dl::cpu {

#include "kernels/signatures/avgpool.inc"  // the signatures and their contract

}  // namespace dl::cpu
