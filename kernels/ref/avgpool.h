// avgpool.h - plain global average pooling: out[n, c] = mean over (h, w) of inp[n, c, h, w].
// Fast twin: kernels/cpu/avgpool.h (same arguments).
// Derivation: docs/derivations.md#avgpool
#pragma once
#include <cstdint>

namespace dl::ref {

#include "kernels/signatures/avgpool.inc"  // the signatures and their contract

}  // namespace dl::ref
