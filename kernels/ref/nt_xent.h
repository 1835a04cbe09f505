// nt_xent.h - the two contrastive losses, written as plain loops from their definitions.
// Fast twin: kernels/cpu/nt_xent.h (same arguments; it uses GEMMs, a vectorized exp, OpenMP).
// Inputs are assumed L2-normalized by the caller. Derivation: docs/nt_xent.md.
#pragma once
#include <cstdint>

namespace dl::ref {

#include "kernels/signatures/nt_xent.inc"  // the signatures and their contract

}  // namespace dl::ref
