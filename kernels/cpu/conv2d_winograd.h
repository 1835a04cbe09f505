// conv2d_winograd.h - the 3x3, stride-1, pad-1 convolution by Winograd's minimal filtering
// algorithm F(2x2, 3x3), forward and weight gradient (the input gradient is a forward convolution:
// kernels/cpu/conv2d.cpp): every 2x2 output tile costs 16 multiplications per (output, input)
// channel pair instead of 36, 2.25x fewer FLOPs in the products that dominate the convolution.
//
// For the 4x4 input patch d under a tile (rows 2 ty - 1 .. 2 ty + 2, columns 2 tx - 1 .. 2 tx + 2,
// zero outside the image) and the 3x3 kernel g,
//   out tile (2x2) = A^T [ (G g G^T) .* (B^T d B) ] A,
// and the sum over input channels c moves inside the brackets. So for each of the 16 positions
// xi = 4 i + j of the 4x4 transformed tile, over a block of T tiles,
//   M_xi (OC, T) = U_xi (OC, C) V_xi (C, T),   U = G g G^T (weights),  V = B^T d B (input),
// sixteen GEMMs on the packed micro-kernel (gemm_packed.h), followed by out = A^T M A per tile.
// The matrices and the derivation: docs/conv2d.md#winograd.
//
// Rounding: the transforms add and subtract values (and halve in G), so the result differs from
// the direct sum in the last bits (tests/test_conv2d_winograd.cpp bounds it against kernels/ref).
// Work is split over fixed blocks of tiles (whole tile rows, chosen from the shapes only); every
// output element is computed by one thread in a fixed order: the same bits for any thread count.
#pragma once
#include <cstdint>

namespace dl::cpu {

// Whether conv2d_forward_winograd takes the shape: a 3x3 kernel, stride 1, padding 1 and the packed
// GEMM available (AVX2+FMA). Off when the environment variable DL_WINOGRAD=0 is set when first
// asked, or after set_winograd_enabled(false) (tests, A/B benchmarks). Where it pays off is
// kernels/cpu/conv2d_plan.cpp's rule.
bool conv2d_forward_winograd_fits(int64_t C, int64_t OC, int64_t KH, int64_t KW, int64_t stride, int64_t pad);
void set_winograd_enabled(bool on);

// out (N, OC, H, W) = inp (N, C, H, W) (*) weight (OC, C, 3, 3) + bias (OC or null), stride 1,
// padding 1. Requires conv2d_forward_winograd_fits.
void conv2d_forward_winograd(float* out, const float* inp, const float* weight, const float* bias, int64_t N,
                             int64_t C, int64_t H, int64_t W, int64_t OC);

// dweight (OC, C, 3, 3) += the weight gradient of that convolution, given its input inp
// (N, C, H, W) and the gradient dout (N, OC, H, W) of its output: the same tiles, 16 GEMMs that
// reduce over tiles (conv2d_winograd_wgrad.cpp). Requires conv2d_forward_winograd_fits.
void conv2d_weight_grad_winograd(float* dweight, const float* dout, const float* inp, int64_t N, int64_t C, int64_t H,
                                 int64_t W, int64_t OC);

}  // namespace dl::cpu
