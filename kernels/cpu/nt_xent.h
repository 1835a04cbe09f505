// nt_xent.h - the two contrastive losses, fused, on the CPU: one GEMM for the similarity matrix,
// one pass per row (max, logsumexp, loss, probabilities), and in the backward dS = softmax minus
// target followed by GEMMs for the input gradients. Inputs are assumed L2-normalized by the caller.
// Derivation: docs/nt_xent.md.
#pragma once
#include <cstdint>

namespace dl::cpu {

// (a) The reference's one-directional loss. e1, e2 (N, D); S = e1 e2^T / tau (N, N);
//     loss = -mean_i log softmax(S)_ii.
// loss (1) written; probs (N, N) = row softmax of S, saved for the backward.
void nt_xent_cross_view_forward(float* loss, float* probs, const float* e1, const float* e2, int64_t N,
                                int64_t D, float tau);
// de1, de2 (N, D) written (=), either may be null; dS (N, N) is scratch.
// dS = (probs - I) dloss / N;  de1 = dS e2 / tau;  de2 = dS^T e1 / tau.
void nt_xent_cross_view_backward(float* de1, float* de2, float* dS, const float* dloss, const float* e1,
                                 const float* e2, const float* probs, int64_t N, int64_t D, float tau);

// (b) Standard SimCLR NT-Xent. z = [z1; z2] (2N, D); S = z z^T / tau with the diagonal excluded;
//     the positive of row i is (i + N) mod 2N; loss = mean over the 2N rows of the cross-entropy.
// loss (1) written; probs (2N, 2N) = masked row softmax (diagonal 0), saved for the backward.
void nt_xent_forward(float* loss, float* probs, const float* z1, const float* z2, int64_t N, int64_t D,
                     float tau);
// dz1, dz2 (N, D) written (=), either may be null; dS (2N, 2N) is scratch.
// G = (probs - onehot(pos)) dloss / 2N;  dz = (G + G^T) z / tau, split into its two halves.
void nt_xent_backward(float* dz1, float* dz2, float* dS, const float* dloss, const float* z1, const float* z2,
                      const float* probs, int64_t N, int64_t D, float tau);

}  // namespace dl::cpu
