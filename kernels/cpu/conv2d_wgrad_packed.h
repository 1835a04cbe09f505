// conv2d_wgrad_packed.h - the convolution WEIGHT gradient on our packed micro-kernel
// (kernels/cpu/gemm_packed.h), without an im2col buffer (technique: docs/performance.md; the
// measurements behind each choice: docs/notes/measurement_log.md).
//
//   dW (OC, K) += dY (OC, pixels) cols^T (pixels, K),   K = C KH KW, summed over all N OH OW pixels.
//
// As a GEMM: M = OC, N = K, and the reduction runs over pixels. The pixels are cut into chunks of
// at most 256 (whole images when OH OW is small, pieces of one image otherwise; each image's pixels
// are padded to a multiple of 8 with zero pixels). Per chunk:
//   A = dY chunk (OC x kc), packed in panels of 6 rows (cheap: 1/K of the FMAs);
//   B = cols^T chunk (kc x K), built 16 columns of K at a time straight from the input:
//   * C a multiple of 16 (any stride and padding): dW columns in the order (16-channel group,
//     kh, kw, channel); per (chunk, group) a zero-padded channels-last copy S of those 16
//     channels is made once (8x8 AVX transposes); the panel of each (kh, kw) is one 64-byte row
//     of S per pixel, which the micro-kernel reads in place through a pixel-offset table (no
//     panel copy). dW is accumulated in that order in a scratch and permuted at the end.
//   * otherwise ('same' stride-1 shapes only: OH = H, OW = W): for 8 pixels and 8 rows
//     (c, kh, kw) of the im2col matrix, 8 masked 8-float loads from the input planes (as in
//     conv2d_packed.h) and one 8x8 AVX transpose give 8 panel rows.
// The micro-kernel accumulates each tile of dW (a call's rows x 16 or 32 columns) over the chunk.
//
// Threads and determinism: the tiles of dW are ordered (M block of <= 128 rows, column
// panel, row panel) and each thread owns a contiguous range of them; it sums every chunk into its
// tiles in chunk order. So each dW element is one fixed sum (k ascending within a chunk, chunks in
// order), whatever thread computes it: bitwise identical results for any thread count, without
// partial sums or a final reduction. For a small dW (channels-last, <= 1 MB: up to 128 channels)
// that split made every thread pack all of dY and every slice for its few tiles; there the chunks
// are cut into 4 fixed groups of consecutive chunks instead, each summed over all tiles into its
// own dW scratch, and the 4 scratches are added in group order: again the same sums for any
// thread count.
#pragma once
#include <cstdint>

namespace dl::cpu {

// Switch this path alone off (A/B benchmarks: benchmarks/bench_conv2d.cpp, step_bench). Default: on,
// unless the environment variable DL_PACKED_WGRAD=0 is set when first asked.
void set_packed_wgrad_enabled(bool on);
bool packed_wgrad_enabled();  // the switch above (not whether the CPU has AVX2+FMA)

// Whether conv2d_weight_grad_packed takes the shape (the conditions and the measurements behind
// them are in conv2d_wgrad_packed.cpp; the table in docs/conv2d.md).
bool conv2d_weight_grad_packed_fits(int64_t N, int64_t C, int64_t H, int64_t W, int64_t OC, int64_t KH, int64_t KW,
                                    int64_t stride, int64_t pad);

// True (and dweight (OC, C, KH, KW) += the gradient) if the shapes qualify and the packed GEMM is
// available (AVX2+FMA, not disabled by DL_PACKED_GEMM=0 or DL_PACKED_WGRAD=0); false: nothing done.
// dout (N, OC, H, W), inp (N, C, H, W).
bool conv2d_weight_grad_packed(float* dweight, const float* dout, const float* inp, int64_t N, int64_t C, int64_t H,
                               int64_t W, int64_t OC, int64_t KH, int64_t KW, int64_t stride, int64_t pad);

}  // namespace dl::cpu
