// nt_xent.h - the two contrastive losses, written as plain loops from their definitions.
// Fast twin: kernels/cpu/nt_xent.h (same arguments; it uses GEMMs, a vectorized exp, OpenMP).
// Inputs are assumed L2-normalized by the caller. Derivation: docs/nt_xent.md.
#pragma once
#include <cstdint>

namespace dl::ref {

// (a) One-directional cross-view loss. e1, e2 (N, D); S = e1 e2^T / tau (N, N);
//     loss (1) = -mean_i log softmax(S_i)_i;  dS (N, N) = d loss / d S = (softmax(S) - I) / N,
//     kept for the backward.
void nt_xent_cross_view_forward(float* loss, float* dS, const float* e1, const float* e2, int64_t N, int64_t D,
                                float tau);
// de1 = dloss dS e2 / tau;  de2 = dloss dS^T e1 / tau;  (N, D) each, written (=), either may be null.
void nt_xent_cross_view_backward(float* de1, float* de2, const float* dloss, const float* e1, const float* e2,
                                 const float* dS, int64_t N, int64_t D, float tau);

// (b) Standard SimCLR NT-Xent. z = [z1; z2] (2N, D); S = z z^T / tau without its diagonal; the
//     positive of row i is (i + N) mod 2N; loss (1) = mean over the 2N rows of the cross-entropy.
//     dS (2N, 2N) = d loss / d S = (P - onehot(pos)) / 2N, P the row softmax over j != i
//     (diagonal 0), kept for the backward.
void nt_xent_forward(float* loss, float* dS, const float* z1, const float* z2, int64_t N, int64_t D, float tau);
// dz = dloss (dS + dS^T) z / tau, split into dz1, dz2 (N, D); written (=), either may be null.
void nt_xent_backward(float* dz1, float* dz2, const float* dloss, const float* z1, const float* z2, const float* dS,
                      int64_t N, int64_t D, float tau);

}  // namespace dl::ref
