// conv2d.h - CUDA twin of kernels/cpu/conv2d.h: same arguments and shapes, device pointers.
// The implementation (kernels/cuda/conv2d.cu) is written separately.
// Derivation: docs/conv2d.md#the-backward-derived
#pragma once
#include <cstdint>

namespace dl::cuda {

// out (N, OC, OH, OW) = inp (N, C, H, W) (*) weight (OC, C, KH, KW) + bias (OC); bias may be null.
void conv2d_forward(float* out, const float* inp, const float* weight, const float* bias, int64_t N, int64_t C,
                    int64_t H, int64_t W, int64_t OC, int64_t KH, int64_t KW, int64_t stride, int64_t pad);

// dinp (N, C, H, W) =;  dweight (OC, C, KH, KW) +=;  dbias (OC) +=.  Null pointers are skipped.
void conv2d_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                     const float* weight, int64_t N, int64_t C, int64_t H, int64_t W, int64_t OC, int64_t KH,
                     int64_t KW, int64_t stride, int64_t pad);

}  // namespace dl::cuda
