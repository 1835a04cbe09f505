// conv2d.h - the fast 2-d convolution on the CPU. Cross-correlation as in PyTorch, any kernel
// size, stride >= 1, pad >= 0:  OH = (H + 2 pad - KH) / stride + 1,  OW = (W + 2 pad - KW) / stride + 1.
// Read the definition first: kernels/ref/conv2d.h (same arguments). Which implementation runs for
// which shape: kernels/cpu/conv2d_plan.h and the table in docs/conv2d.md. Every implementation's
// work split depends on the shapes only, so results are bitwise identical whatever the OpenMP
// thread count.
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
