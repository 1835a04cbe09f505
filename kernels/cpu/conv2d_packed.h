// conv2d_packed.h - the forward convolution (any stride and padding) without an im2col buffer: the
// B panels of our packed GEMM (kernels/cpu/gemm_packed.h) are built from a zero-padded copy of a
// few input channels, and the GEMM writes straight into the NCHW output.
//
// The copy. For stride s, the padded input plane (pad rows/columns of zeros around it) is split
// into s x s phase planes, phase (a, b) holding padded[a + s i, b + s j]. Output pixel (oh, ow)
// reads, for kernel tap (kh, kw), padded[s oh + kh, s ow + kw], which is
//   phase (kh mod s, kw mod s) at (oh + kh div s, ow + kw div s),
// so the 16 consecutive output pixels of one B panel row are at most a few contiguous runs (one per
// output row they span) in one phase plane: plain 16-, 8- or 4-float loads, no masks, no bounds
// tests. Stride 1 is the single phase (the padded plane itself). The channel stride of the copy is
// kept off multiples of 1 KB so that the rows of different channels do not share L1 sets.
// The copy is made per (group of images, chunk of whole channels) and read KH KW times per output
// channel panel; it costs one pass over the input.
//
// Work is split over groups of whole images (fixed by the shapes), each output element is
// computed by one thread in a fixed order: bitwise identical for any thread count.
#pragma once
#include <cstdint>

namespace dl::cpu {

// Whether conv2d_forward_packed takes an (N, ., OH, OW) output: AVX2+FMA and >= 16 pixels per plane.
bool conv2d_forward_packed_fits(int64_t N, int64_t OH, int64_t OW);

// True (and out written) if the CPU has AVX2+FMA and the output plane has at least 16 pixels
// (smaller planes fill too few panel lanes); false: nothing done, the caller uses im2col.
// out (N, OC, OH, OW) = inp (N, C, H, W) (*) weight (OC, C, KH, KW) + bias (OC or null),
// OH = (H + 2 pad - KH) / stride + 1, OW likewise.
bool conv2d_forward_packed(float* out, const float* inp, const float* weight, const float* bias, int64_t N, int64_t C,
                           int64_t H, int64_t W, int64_t OC, int64_t KH, int64_t KW, int64_t stride, int64_t pad);

// The same with the top/left padding (pad_h, pad_w) and the output size (OH, OW) given: output
// pixel (oh, ow) reads input (stride oh - pad_h + kh, stride ow - pad_w + kw), zero outside the
// input (pads may be negative; rows and columns past the input are zero). For the sub-pixel
// convolutions of the strided input gradient (kernels/cpu/conv2d_dgrad_packed.h).
bool conv2d_forward_packed_explicit(float* out, const float* inp, const float* weight, const float* bias, int64_t N,
                                    int64_t C, int64_t H, int64_t W, int64_t OC, int64_t KH, int64_t KW, int64_t stride,
                                    int64_t pad_h, int64_t pad_w, int64_t OH, int64_t OW);

}  // namespace dl::cpu
