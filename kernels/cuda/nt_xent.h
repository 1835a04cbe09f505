// nt_xent.h - CUDA twins of kernels/cpu/nt_xent.h: same arguments and semantics, device pointers
// (loss, dloss: single device floats; dS: a device buffer of N*N or 2N*2N floats, written by the
// forward and read by the backward).
// Derivation: docs/nt_xent.md
#pragma once
#include <cstdint>

namespace dl::cuda {

// (a) e1, e2 (N, D); loss (1); dS (N, N) = (softmax(e1 e2^T / tau) - I) / N.
void nt_xent_cross_view_forward(float* loss, float* dS, const float* e1, const float* e2, int64_t N, int64_t D,
                                float tau);
// de1 = dloss dS e2 / tau, de2 = dloss dS^T e1 / tau (N, D) written, either may be null.
void nt_xent_cross_view_backward(float* de1, float* de2, const float* dloss, const float* e1, const float* e2,
                                 const float* dS, int64_t N, int64_t D, float tau);
// (b) z1, z2 (N, D); loss (1); dS (2N, 2N) = (masked row softmax - onehot(pos)) / 2N.
void nt_xent_forward(float* loss, float* dS, const float* z1, const float* z2, int64_t N, int64_t D, float tau);
// [dz1; dz2] = dloss (dS + dS^T) [z1; z2] / tau (N, D) each, written, either may be null.
void nt_xent_backward(float* dz1, float* dz2, const float* dloss, const float* z1, const float* z2, const float* dS,
                      int64_t N, int64_t D, float tau);

}  // namespace dl::cuda
