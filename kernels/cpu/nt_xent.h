// nt_xent.h - the two contrastive losses, fused, on the CPU: one GEMM for the similarity matrix,
// one pass per row (max, logsumexp, the row's loss and its row of dS = d loss / d S), and in the
// backward only GEMMs (scaled by dloss). Inputs are assumed L2-normalized by the caller.
// Derivation: docs/nt_xent.md.
#pragma once
#include <cstdint>

namespace dl::cpu {

// (a) The reference's one-directional loss. e1, e2 (N, D); S = e1 e2^T / tau (N, N);
//     loss = -mean_i log softmax(S)_ii.
// loss (1) written; dS (N, N) = d loss / d S = (softmax(S) - I) / N, saved for the backward.
void nt_xent_cross_view_forward(float* loss, float* dS, const float* e1, const float* e2, int64_t N, int64_t D,
                                float tau);
// de1, de2 (N, D) written (=), either may be null:  de1 = dloss dS e2 / tau;  de2 = dloss dS^T e1 / tau.
void nt_xent_cross_view_backward(float* de1, float* de2, const float* dloss, const float* e1, const float* e2,
                                 const float* dS, int64_t N, int64_t D, float tau);

// (b) Standard SimCLR NT-Xent. z = [z1; z2] (2N, D); S = z z^T / tau with the diagonal excluded;
//     the positive of row i is (i + N) mod 2N; loss = mean over the 2N rows of the cross-entropy.
// loss (1) written; dS (2N, 2N) = d loss / d S = (P - onehot(pos)) / 2N with P the masked row
//   softmax (diagonal 0), S taken as a free matrix; saved for the backward.
void nt_xent_forward(float* loss, float* dS, const float* z1, const float* z2, int64_t N, int64_t D, float tau);
// dz1, dz2 (N, D) written (=), either may be null. S = z z^T / tau uses z twice:
//   dz = dloss (dS + dS^T) z / tau, split into its two halves (GEMMs on dS and on dS^T).
void nt_xent_backward(float* dz1, float* dz2, const float* dloss, const float* z1, const float* z2, const float* dS,
                      int64_t N, int64_t D, float tau);

}  // namespace dl::cpu
