// nt_xent.h - the two contrastive losses, fused, on the CPU: one GEMM for the similarity matrix,
// one pass per row (max, logsumexp, the row's loss and its row of dS = d loss / d S), and in the
// backward GEMMs (scaled by dloss; SimCLR's form: one GEMM on dS + dS^T). Inputs are assumed
// L2-normalized by the caller.
// Derivation: docs/nt_xent.md.
#pragma once
#include <cstdint>

namespace dl::cpu {

#include "kernels/signatures/nt_xent.inc"  // the signatures and their contract

}  // namespace dl::cpu
