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

#include "kernels/signatures/conv2d.inc"  // the signatures and their contract

}  // namespace dl::ref
