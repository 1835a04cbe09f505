// binary.h - plain elementwise a op b with the one broadcast pattern the models need.
// Fast twin: kernels/cpu/binary.h (same arguments; it picks a loop per layout and adds OpenMP).
//
// a, out and dout are viewed as (outer, C, inner) and b has C elements: b[c] applies to
// a[o, c, i]. (b of a's shape is (1, n, 1); a scalar b is (1, 1, n); a per-channel b of
// (N, C, H, W) is (N, C, H*W); a per-row b (N, 1) of (N, D) is (1, N, D).)
// Backward WRITES (=) da (outer, C, inner) and db (C); a null da or db is skipped.
// Derivation: docs/derivations.md#elementwise
#pragma once
#include <cstdint>

namespace dl::ref {

#include "kernels/signatures/binary.inc"  // the signatures and their contract

}  // namespace dl::ref
