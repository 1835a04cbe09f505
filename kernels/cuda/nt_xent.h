// nt_xent.h - CUDA twins of kernels/cpu/nt_xent.h: same arguments and semantics, device pointers
// (loss, dloss: single device floats; probs, dS: device buffers of N*N or 2N*2N floats).
#pragma once
#include <cstdint>

namespace dl::cuda {

// (a) e1, e2 (N, D); loss (1); probs (N, N) = row softmax of e1 e2^T / tau.
void nt_xent_cross_view_forward(float* loss, float* probs, const float* e1, const float* e2, int64_t N,
                                int64_t D, float tau);
// de1, de2 (N, D) written, either may be null; dS (N, N) scratch.
void nt_xent_cross_view_backward(float* de1, float* de2, float* dS, const float* dloss, const float* e1,
                                 const float* e2, const float* probs, int64_t N, int64_t D, float tau);
// (b) z1, z2 (N, D); loss (1); probs (2N, 2N) = masked row softmax (diagonal 0).
void nt_xent_forward(float* loss, float* probs, const float* z1, const float* z2, int64_t N, int64_t D,
                     float tau);
// dz1, dz2 (N, D) written, either may be null; dS (2N, 2N) scratch.
void nt_xent_backward(float* dz1, float* dz2, float* dS, const float* dloss, const float* z1, const float* z2,
                      const float* probs, int64_t N, int64_t D, float tau);

}  // namespace dl::cuda
