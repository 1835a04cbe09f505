// conv2d_wgrad_packed.h - the convolution WEIGHT gradient on our packed micro-kernel
// (kernels/cpu/gemm_packed.h), for 'same' stride-1 shapes (3x3 pad 1, 1x1 pad 0, ...: OH = H, OW = W),
// without an im2col buffer.
//
//   dW (OC, K) += dY (OC, pixels) cols^T (pixels, K),   K = C KH KW, summed over all N P pixels.
//
// As a GEMM: M = OC, N = K, and the reduction runs over pixels. The pixels are cut into chunks of
// at most 256 (whole images when P is small, pieces of one image otherwise; P is padded to a
// multiple of 8 per image with zero pixels). Per chunk:
//   A = dY chunk (OC x kc), packed in panels of 6 rows (cheap: 1/K of the FMAs);
//   B = cols^T chunk (kc x K), built 16 columns of K at a time straight from the input planes:
//       for 8 pixels and 8 rows (c, kh, kw) of the im2col matrix, 8 masked 8-float loads from the
//       input planes (as in conv2d_packed.h) and one 8x8 AVX transpose give 8 panel rows.
// The micro-kernel accumulates each 6 x 16 tile of dW over the chunk.
//
// Determinism: the chunks are split into G contiguous groups (G a power of two fixed by the
// shapes, never by the thread count); group 0 accumulates into dweight, group g > 0 into its own
// partial, and the partials are added in group order at the end. Within a group the chunks are
// summed in order by one thread: bitwise identical results for any thread count.
#pragma once
#include <cstdint>

namespace dl::cpu {

// Switch this path alone off (A/B benchmarks: benchmarks/bench_conv2d.cpp, step_bench). Default: on,
// unless the environment variable DL_PACKED_WGRAD=0 is set when first asked.
void set_packed_wgrad_enabled(bool on);
bool packed_wgrad_enabled();  // the switch above (not whether the CPU has AVX2+FMA)

// True (and dweight (OC, C, KH, KW) += the gradient) if the shapes qualify and the packed GEMM is
// available (AVX2+FMA, not disabled by DL_PACKED_GEMM=0 or DL_PACKED_WGRAD=0); false: nothing done.
// dout (N, OC, H, W), inp (N, C, H, W).
bool conv2d_weight_grad_packed(float* dweight, const float* dout, const float* inp, int64_t N, int64_t C, int64_t H,
                               int64_t W, int64_t OC, int64_t KH, int64_t KW, int64_t stride, int64_t pad);

}  // namespace dl::cpu
