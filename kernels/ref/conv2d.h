// conv2d.h - the reference 2-D convolution: the definition, one output value at a time.
//
// Shapes: inp (N, C, H, W), weight (OC, C, KH, KW), bias (OC) or null, out (N, OC, OH, OW) with
//   OH = (H + 2 pad - KH) / stride + 1,  OW = (W + 2 pad - KW) / stride + 1.
// Any stride >= 1, padding >= 0 and kernel size. Pixels outside the image read as zero.
// Same arguments as the fast twin kernels/cpu/conv2d.h (packed AVX2 micro-kernels) and the CUDA
// twin kernels/cuda/conv2d.h; both are tested against this one.
// Derivation: docs/conv2d.md#the-backward-derived
#pragma once
#include <cstdint>

namespace dl::ref {

// out[n, o, oh, ow] = bias[o] + sum_{c, kh, kw} weight[o, c, kh, kw] inp[n, c, oh s - pad + kh, ow s - pad + kw]
void conv2d_forward(float* out, const float* inp, const float* weight, const float* bias, int64_t N, int64_t C,
                    int64_t H, int64_t W, int64_t OC, int64_t KH, int64_t KW, int64_t stride, int64_t pad);

// dinp (N, C, H, W) written (=); dweight (OC, C, KH, KW) and dbias (OC) accumulated (+=); any may be null.
//   dbias[o]             += sum_{n, oh, ow} dout[n, o, oh, ow]
//   dweight[o, c, kh, kw] += sum_{n, oh, ow} dout[n, o, oh, ow] inp[n, c, oh s - pad + kh, ow s - pad + kw]
//   dinp[n, c, ih, iw]    = sum of weight[o, c, kh, kw] dout[n, o, oh, ow] over every (o, kh, kw, oh, ow)
//                           with oh s - pad + kh = ih and ow s - pad + kw = iw
void conv2d_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                     const float* weight, int64_t N, int64_t C, int64_t H, int64_t W, int64_t OC, int64_t KH,
                     int64_t KW, int64_t stride, int64_t pad);

}  // namespace dl::ref
