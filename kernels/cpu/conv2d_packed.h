// conv2d_packed.h - the forward convolution for 'same' stride-1 shapes (3x3 pad 1, 1x1 pad 0, ...:
// OH = H, OW = W) without an im2col buffer: the B panels of our packed GEMM (kernels/cpu/gemm_packed.h)
// are built straight from the input, and the GEMM writes straight into the NCHW output.
//
// For such a convolution, output pixel q = oh W + ow of image n reads, for row r = (c, kh, kw),
//   inp[n, c][q + (kh - pad) W + (kw - pad)]     when the source pixel is inside the image, else 0,
// so 16 consecutive pixels of one row of a B panel are ONE masked 16-float load from the input
// plane (_mm256_maskload_ps: masked-out lanes are neither read nor faulted). The masks depend on
// (kh, kw) and the panel's first pixel only, so they are computed once per panel.
// Work is split over groups of whole images (fixed by the shapes), each output element is
// computed by one thread in a fixed order: bitwise identical for any thread count.
#pragma once
#include <cstdint>

namespace dl::cpu {

// True (and out written) if the shapes qualify and the CPU has AVX2+FMA; false: nothing done.
// out (N, OC, H, W) = inp (N, C, H, W) (*) weight (OC, C, KH, KW) + bias (OC or null).
bool conv2d_forward_packed(float* out, const float* inp, const float* weight, const float* bias, int64_t N, int64_t C,
                           int64_t H, int64_t W, int64_t OC, int64_t KH, int64_t KW, int64_t stride, int64_t pad);

}  // namespace dl::cpu
