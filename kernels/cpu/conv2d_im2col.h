// conv2d_im2col.h - the im2col paths of the fast CPU convolution: the shapes the packed kernels
// do not take (small output planes, the 3-channel stem's weight gradient, strided 1x1 shortcuts,
// strided input gradients from small planes; kernels/cpu/conv2d_plan.h says which).
//
// Notation: K = C KH KW (the reduction length), P = OH OW (output pixels per image); a block holds
// nb images starting at image n0, and its column matrix is cols (K, nb P):
//   cols[(c KH + kh) KW + kw][i P + oh OW + ow] = inp[n0 + i][c][oh s - pad + kh][ow s - pad + kw]
// (zero outside the image). Then
//   forward   Y (OC, nb P)  = W (OC, K) cols (K, nb P)               -> scattered into NCHW + bias
//   dweight   dW (OC, K)   += dY (OC, nb P) cols^T (nb P, K)          (dY gathered from NCHW)
//   dinp      dcols (K, nb P) = W^T (K, OC) dY (OC, nb P)             -> col2im (scatter-add) into dinp
// col2im is the adjoint (transpose) of im2col: derivation in docs/conv2d.md. With nb == 1 the NCHW
// planes of one image already are (OC, P) matrices, so gather/scatter are skipped, and a 1x1
// stride-1 pad-0 convolution uses the input plane itself as cols.
//
// Threads: OpenMP over blocks, one single-threaded GEMM per block. The block plan and the grouping
// of the dweight reduction depend only on the shapes: bitwise the same for any thread count.
#pragma once
#include <cstdint>

#include "kernels/cpu/conv2d_plan.h"

namespace dl::cpu {

// out (N, OC, OH, OW) = inp (*) weight + bias; the GEMM is our packed one when packed_gemm.
void conv2d_forward_im2col(float* out, const float* inp, const float* weight, const float* bias, const ConvShape& s,
                           bool packed_gemm);

// dinp (N, C, H, W) written (=).
void conv2d_input_grad_col2im(float* dinp, const float* dout, const float* weight, const ConvShape& s);

// dweight (OC, C, KH, KW) accumulated (+=).
void conv2d_weight_grad_im2col(float* dweight, const float* dout, const float* inp, const ConvShape& s);

}  // namespace dl::cpu
