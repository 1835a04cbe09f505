// conv2d.h - 2-d convolution on the CPU by im2col + GEMM (derivation and measurements:
// docs/conv2d.md). Cross-correlation as in PyTorch, any kernel size, stride >= 1, pad >= 0.
//   OH = (H + 2 pad - KH) / stride + 1,  OW = (W + 2 pad - KW) / stride + 1
// Images are processed in blocks of Nb: one GEMM per block over Nb * OH * OW columns, with a
// workspace of a few MB per thread taken from the caching allocator. The block plan depends on
// the shapes only, so results are bitwise identical whatever the OpenMP thread count.
#pragma once
#include <cstdint>

namespace dl::cpu {

// out (N, OC, OH, OW) = inp (N, C, H, W) (*) weight (OC, C, KH, KW) + bias (OC); bias may be null.
void conv2d_forward(float* out, const float* inp, const float* weight, const float* bias, int64_t N, int64_t C,
                    int64_t H, int64_t W, int64_t OC, int64_t KH, int64_t KW, int64_t stride, int64_t pad);

// dinp (N, C, H, W) =;  dweight (OC, C, KH, KW) +=;  dbias (OC) +=.  Null pointers are skipped.
void conv2d_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                     const float* weight, int64_t N, int64_t C, int64_t H, int64_t W, int64_t OC, int64_t KH,
                     int64_t KW, int64_t stride, int64_t pad);

}  // namespace dl::cpu
